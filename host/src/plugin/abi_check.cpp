#include "loadpilot/host/plugin/abi_check.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <cstring>
#include <initializer_list>

namespace lp::abi {
namespace {

// The end of the last member that ABI 1.0 defined: the smallest struct a
// plugin may declare. These stay fixed when later minors append members.
#define LP_END_OF(type, member) (offsetof(type, member) + sizeof(((type*)nullptr)->member))
constexpr std::size_t kDescriptorMin = LP_END_OF(lp_plugin_descriptor, factory_count);
constexpr std::size_t kFactoryMin = LP_END_OF(lp_component_factory, ops);

struct Required {
  const char* name;
  std::size_t end;  // offset + size of the member
  std::size_t offset;
};

template <class Ops>
std::optional<std::string> check_table(const void* table, const char* table_name,
                                       std::size_t min_size,
                                       std::initializer_list<Required> required) {
  const auto* ops = static_cast<const Ops*>(table);
  if (ops->struct_size < min_size) {
    return fmt::format(
        "{}.struct_size is {}, smaller than the ABI 1.0 minimum {}: required members lie "
        "beyond the declared size",
        table_name, ops->struct_size, min_size);
  }
  for (const auto& r : required) {
    void* fn = nullptr;
    std::memcpy(&fn, reinterpret_cast<const char*>(ops) + r.offset, sizeof fn);
    if (fn == nullptr) return fmt::format("required function {}.{} is null", table_name, r.name);
  }
  return std::nullopt;
}

#define LP_REQ(type, member) \
  Required { #member, LP_END_OF(type, member), offsetof(type, member) }

}  // namespace

std::optional<std::string> check_descriptor(const lp_plugin_descriptor& d) {
  if (d.struct_size < kDescriptorMin) {
    return fmt::format(
        "descriptor struct_size is {}, smaller than the ABI 1.0 minimum {}: members lie beyond "
        "the declared size",
        d.struct_size, kDescriptorMin);
  }
  if (d.name == nullptr || d.name[0] == '\0') return std::string("descriptor has no name");
  if (d.version == nullptr || d.version[0] == '\0') {
    return std::string("descriptor has no version");
  }
  if (d.factory_count > 0 && d.factories == nullptr) {
    return fmt::format("descriptor declares {} factories but the array is null", d.factory_count);
  }
  return std::nullopt;
}

std::optional<std::string> check_factory_size(const lp_component_factory& f) {
  if (f.struct_size < kFactoryMin) {
    return fmt::format(
        "lp_component_factory.struct_size is {}, smaller than the ABI 1.0 minimum {}: members "
        "lie beyond the declared size",
        f.struct_size, kFactoryMin);
  }
  return std::nullopt;
}

std::optional<std::string> check_factory_functions(const lp_component_factory& f) {
  if (f.create == nullptr) return std::string("required function create is null");
  if (f.destroy == nullptr) return std::string("required function destroy is null");
  if (f.ops == nullptr) return std::string("operation table (ops) is null");
  switch (f.kind) {
    case LP_KIND_TOOL:
      return check_table<lp_tool_ops>(
          f.ops, "lp_tool_ops", LP_END_OF(lp_tool_ops, stop),
          {LP_REQ(lp_tool_ops, prepare), LP_REQ(lp_tool_ops, request_types),
           LP_REQ(lp_tool_ops, start), LP_REQ(lp_tool_ops, set_target), LP_REQ(lp_tool_ops, poll),
           LP_REQ(lp_tool_ops, stop)});
    case LP_KIND_PROVIDER:
      return check_table<lp_provider_ops>(
          f.ops, "lp_provider_ops", LP_END_OF(lp_provider_ops, teardown),
          {LP_REQ(lp_provider_ops, instance_types), LP_REQ(lp_provider_ops, scale_to),
           LP_REQ(lp_provider_ops, list), LP_REQ(lp_provider_ops, teardown)});
    case LP_KIND_FORECASTER:
      return check_table<lp_forecaster_ops>(
          f.ops, "lp_forecaster_ops", LP_END_OF(lp_forecaster_ops, load),
          {LP_REQ(lp_forecaster_ops, fit), LP_REQ(lp_forecaster_ops, predict)});
    case LP_KIND_DETECTOR:
      return check_table<lp_detector_ops>(
          f.ops, "lp_detector_ops", LP_END_OF(lp_detector_ops, observe),
          {LP_REQ(lp_detector_ops, warmup), LP_REQ(lp_detector_ops, observe)});
    case LP_KIND_SOURCE:
      return check_table<lp_source_ops>(f.ops, "lp_source_ops",
                                        LP_END_OF(lp_source_ops, query_range),
                                        {LP_REQ(lp_source_ops, poll)});
    case LP_KIND_SINK:
      return check_table<lp_sink_ops>(f.ops, "lp_sink_ops", LP_END_OF(lp_sink_ops, flush),
                                      {LP_REQ(lp_sink_ops, write)});
    default:
      return std::nullopt;  // unknown kinds are skipped by the caller
  }
}

}  // namespace lp::abi
