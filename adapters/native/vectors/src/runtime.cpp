#include <stdexcept>

#include "loadpilot/vectors/render.hpp"
#include "program.hpp"
#include "render_scope.hpp"

namespace lp::vectors {

RenderContext::RenderContext(uint64_t seed) : seed_(seed) {
  set_vu(0);
}

RenderContext::~RenderContext() = default;

void RenderContext::set_vu(uint64_t vu) {
  if (current_ != nullptr && current_->id == vu) return;
  auto it = users_.find(vu);
  if (it == users_.end()) {
    it = users_.emplace(vu, VuState{vu, Rng(seed_, vu), {}, {}}).first;
    if (layout_ != nullptr) {
      it->second.values.resize(layout_->capture_names.size());
      it->second.present.assign(layout_->capture_names.size(), 0);
    }
  }
  current_ = &it->second;
}

void RenderContext::forget_vu(uint64_t vu) {
  const bool was_current = current_ != nullptr && current_->id == vu;
  users_.erase(vu);
  if (was_current) {
    current_ = nullptr;
    set_vu(vu);  // keep a valid current user; it starts afresh
  }
}

void RenderContext::use_program(const std::shared_ptr<const detail::VectorProgram>& program) {
  if (layout_ == program) return;
  layout_ = program;
  const std::size_t slots = program->capture_names.size();
  for (auto& [id, user] : users_) {
    user.values.assign(slots, {});
    user.present.assign(slots, 0);
  }
}

std::optional<std::string_view> RenderContext::capture(std::string_view name) const {
  if (layout_ == nullptr) return std::nullopt;
  for (std::size_t slot = 0; slot < layout_->capture_names.size(); ++slot) {
    if (layout_->capture_names[slot] == name && current_->present[slot]) {
      return current_->values[slot];
    }
  }
  return std::nullopt;
}

VectorRuntime::VectorRuntime(const LoadVector& vector) : vector_(vector) {
  if (!vector.program || vector.program->requests.size() != vector.request_types.size()) {
    throw std::invalid_argument("VectorRuntime needs a vector produced by the vector parser");
  }
  const std::size_t files = vector.program->csv_tables.size();
  csv_cursor_ = std::make_unique<std::atomic<uint64_t>[]>(files);
  for (std::size_t i = 0; i < files; ++i) csv_cursor_[i].store(0, std::memory_order_relaxed);
}

VectorRuntime::~VectorRuntime() = default;

std::size_t VectorRuntime::size() const {
  return vector_.request_types.size();
}

const RequestType& VectorRuntime::request_type(std::size_t type) const {
  return vector_.request_types.at(type);
}

void VectorRuntime::render(std::size_t type, RenderContext& ctx, RenderedRequest& out) const {
  const detail::VectorProgram& program = *vector_.program;
  const detail::CompiledRequest& request = program.requests.at(type);
  ctx.use_program(vector_.program);
  detail::RenderScope scope(seq_, csv_cursor_.get(), program, ctx);

  out.method = request.method;
  out.target.clear();
  request.path.render(scope, out.target);
  out.headers_.clear();
  out.header_values_.clear();
  for (const auto& header : request.headers) {
    const std::size_t offset = out.header_values_.size();
    header.value.render(scope, out.header_values_);
    out.headers_.push_back({header.name, offset, out.header_values_.size() - offset});
  }
  out.body.clear();
  if (request.body) request.body->render(scope, out.body);
}

std::size_t VectorRuntime::apply_captures(std::size_t type, int status,
                                          std::span<const HeaderView> headers,
                                          std::string_view body, RenderContext& ctx) const {
  const detail::VectorProgram& program = *vector_.program;
  const detail::CompiledRequest& request = program.requests.at(type);
  if (request.captures.empty()) return 0;
  ctx.use_program(vector_.program);
  if (status < 200 || status >= 400) {
    ctx.stats_.capture_failures += request.captures.size();
    return 0;
  }
  nlohmann::json doc(nlohmann::json::value_t::discarded);
  bool parsed = false;
  auto& user = *ctx.current_;
  std::size_t stored = 0;
  for (const auto& rule : request.captures) {
    if (rule.source == CaptureSource::kJsonPointer && !parsed) {
      doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
      parsed = true;
    }
    if (detail::extract(rule, headers, body, doc, user.values[rule.slot])) {
      user.present[rule.slot] = 1;
      ++stored;
    } else {
      ++ctx.stats_.capture_failures;
    }
  }
  ctx.stats_.captured += stored;
  return stored;
}

bool VectorRuntime::has_captures(std::size_t type) const {
  return !vector_.program->requests.at(type).captures.empty();
}

bool VectorRuntime::needs_body(std::size_t type) const {
  return vector_.program->requests.at(type).needs_body;
}

}  // namespace lp::vectors
