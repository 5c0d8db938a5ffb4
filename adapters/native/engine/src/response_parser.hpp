// A Beast response parser that keeps only what a sample needs (status,
// keep-alive) and discards the body as it streams past, so parsing never
// allocates. With a ResponseCapture attached it also keeps the header fields
// and the decoded body (up to a limit) for the response hook.
#pragma once

#include <boost/beast/http/basic_parser.hpp>
#include <boost/optional.hpp>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "loadpilot/native/engine_config.hpp"

namespace lp::native {

// Owned by the connection and reused, so capturing allocates only while the
// buffers grow to their working size.
struct ResponseCapture {
  struct Span {
    std::size_t name_at, name_len, value_at, value_len;
  };
  std::string fields;  // names and values back to back
  std::vector<Span> spans;
  std::vector<ResponseField> views;  // filled by view()
  std::string body;
  std::size_t max_body = 0;
  bool truncated = false;

  void clear() {
    fields.clear();
    spans.clear();
    body.clear();
    truncated = false;
  }
  void add_field(std::string_view name, std::string_view value) {
    spans.push_back({fields.size(), name.size(), fields.size() + name.size(), value.size()});
    fields.append(name);
    fields.append(value);
  }
  void add_body(std::string_view part) {
    const std::size_t room = max_body > body.size() ? max_body - body.size() : 0;
    if (part.size() > room) truncated = true;
    body.append(part.substr(0, room));
  }
  ResponseView view(int status) {
    views.clear();
    const std::string_view all(fields);
    for (const auto& s : spans) {
      views.push_back({all.substr(s.name_at, s.name_len), all.substr(s.value_at, s.value_len)});
    }
    return {status, views, body, truncated};
  }
};

class ResponseParser final : public boost::beast::http::basic_parser<false> {
 public:
  explicit ResponseParser(ResponseCapture* capture = nullptr) : capture_(capture) {
    eager(true);
    // Discarded, so any size is fine. Not boost::none: Beast 1.74 compares
    // the length against the optional and treats none as exceeded.
    body_limit(std::numeric_limits<std::uint64_t>::max());
    if (capture_ != nullptr) capture_->clear();
  }

  int status() const { return status_; }

 private:
  using error_code = boost::beast::error_code;
  using string_view = boost::beast::string_view;

  void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                       error_code&) override {}
  void on_response_impl(int code, string_view, int, error_code&) override { status_ = code; }
  void on_field_impl(boost::beast::http::field, string_view name, string_view value,
                     error_code&) override {
    if (capture_ != nullptr)
      capture_->add_field({name.data(), name.size()}, {value.data(), value.size()});
  }
  void on_header_impl(error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>&, error_code&) override {}
  std::size_t on_body_impl(string_view body, error_code&) override {
    if (capture_ != nullptr) capture_->add_body({body.data(), body.size()});
    return body.size();
  }
  void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}
  std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
    if (capture_ != nullptr) capture_->add_body({body.data(), body.size()});
    return body.size();
  }
  void on_finish_impl(error_code&) override {}

  ResponseCapture* capture_;
  int status_ = 0;
};

}  // namespace lp::native
