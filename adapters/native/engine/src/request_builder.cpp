#include "loadpilot/native/request_builder.hpp"

#include <stdexcept>

namespace lp::native {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

bool has_crlf(std::string_view s) {
  return s.find_first_of("\r\n") != std::string_view::npos;
}

// A body-carrying method sends Content-Length even when empty, as servers
// may otherwise wait for one.
bool wants_length(std::string_view method, std::size_t body_size) {
  return body_size > 0 || method == "POST" || method == "PUT" || method == "PATCH";
}

void append_head(std::string& out, std::string_view method, std::string_view base_path,
                 std::string_view target, std::string_view host_header,
                 const std::vector<Header>& headers) {
  out.append(method).append(" ").append(base_path);
  if (target.empty() || (target[0] != '/' && target[0] != '?')) out.append("/");
  out.append(target).append(" HTTP/1.1\r\n");
  bool has_host = false;
  for (const auto& h : headers) has_host = has_host || iequals(h.name, "host");
  if (!has_host) out.append("Host: ").append(host_header).append("\r\n");
  for (const auto& h : headers) {
    // The engine frames the body itself; a stale length would desync the connection.
    if (iequals(h.name, "content-length")) continue;
    out.append(h.name).append(": ").append(h.value).append("\r\n");
  }
}

void append_tail(std::string& out, std::string_view method, std::string_view body) {
  if (wants_length(method, body.size())) {
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  out.append("\r\n").append(body);
}

}  // namespace

void RequestBuilder::add_header(std::string_view name, std::string_view value) {
  if (name.empty() || has_crlf(name) || has_crlf(value) ||
      name.find(':') != std::string_view::npos) {
    throw std::invalid_argument("invalid header name or value");
  }
  if (iequals(name, "content-length")) return;
  extra_headers_.append(name).append(": ").append(value).append("\r\n");
}

void RequestBuilder::reset(std::size_t type, const RequestTemplate& tmpl) {
  type_ = type;
  template_ = &tmpl;
  method_.assign(tmpl.method);
  target_.assign(tmpl.target);
  extra_headers_.clear();
  body_.assign(tmpl.body);
}

void RequestBuilder::serialize(std::string_view base_path, std::string_view host_header,
                               std::string& out) const {
  // Hook output may come from test data; never let it split the request line.
  if (method_.empty() || method_.find_first_of(" \r\n") != std::string::npos ||
      target_.find_first_of(" \r\n") != std::string::npos) {
    throw std::invalid_argument("method or target contains a space or line break");
  }
  out.clear();
  append_head(out, method_, base_path, target_, host_header, template_->headers);
  out.append(extra_headers_);
  append_tail(out, method_, body_);
}

std::string serialize_request(const RequestTemplate& tmpl, std::string_view base_path,
                              std::string_view host_header) {
  std::string out;
  append_head(out, tmpl.method, base_path, tmpl.target, host_header, tmpl.headers);
  append_tail(out, tmpl.method, tmpl.body);
  return out;
}

}  // namespace lp::native
