// One request as the RequestHook sees it: starts as the type's template and
// is serialised after the hook returns. Buffers keep their capacity between
// requests, so a hook that only assigns does not allocate once warm.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "loadpilot/native/engine_config.hpp"

namespace lp::native {

class RequestBuilder {
 public:
  std::size_t type() const { return type_; }
  const RequestTemplate& request_template() const { return *template_; }

  std::string_view method() const { return method_; }
  std::string_view target() const { return target_; }
  void set_method(std::string_view method) { method_.assign(method); }
  // Path and query, relative to the base URL's path like the template's.
  void set_target(std::string_view target) { target_.assign(target); }
  // Adds to the template's headers. CR or LF in either string throws.
  void add_header(std::string_view name, std::string_view value);
  void set_body(std::string_view body) { body_.assign(body); }
  std::string& body() { return body_; }

  // Engine side: start from a template, then write the request bytes.
  void reset(std::size_t type, const RequestTemplate& tmpl);
  void serialize(std::string_view base_path, std::string_view host_header, std::string& out) const;

 private:
  std::size_t type_ = 0;
  const RequestTemplate* template_ = nullptr;
  std::string method_;
  std::string target_;
  std::string extra_headers_;  // "Name: value\r\n" lines added by the hook
  std::string body_;
};

// Serialises a template as-is (what the engine sends when there is no hook).
std::string serialize_request(const RequestTemplate& tmpl, std::string_view base_path,
                              std::string_view host_header);

}  // namespace lp::native
