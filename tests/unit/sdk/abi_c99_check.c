/* Compiled as strict C99: the ABI header must be plain C. Also checks the
 * layout facts the host relies on. */
#include <loadpilot/abi.h>
#include <stdio.h>

#define CHECK(cond)                                          \
  do {                                                       \
    if (!(cond)) {                                           \
      fprintf(stderr, "abi_c99_check: failed: %s\n", #cond); \
      return 1;                                              \
    }                                                        \
  } while (0)

int main(void) {
  lp_detector_ops ops;
  ops.struct_size = (uint32_t)sizeof ops;
  CHECK(LP_MEMBER_WITHIN(&ops, lp_detector_ops, observe));
  ops.struct_size = (uint32_t)offsetof(lp_detector_ops, observe);
  CHECK(!LP_MEMBER_WITHIN(&ops, lp_detector_ops, observe));
  CHECK(offsetof(lp_plugin_descriptor, struct_size) == 0);
  CHECK(offsetof(lp_component_factory, struct_size) == 0);
  CHECK(sizeof(lp_str) == sizeof(void*) + sizeof(size_t));
  CHECK(sizeof(lp_kind) == 4 && sizeof(lp_status) == 4 && sizeof(lp_outcome) == 4);
  printf("abi_c99_check: ABI %d.%d.%d, lp_sample %u bytes, descriptor %u bytes\n",
         LP_ABI_VERSION_MAJOR, LP_ABI_VERSION_MINOR, LP_ABI_VERSION_PATCH,
         (unsigned)sizeof(lp_sample), (unsigned)sizeof(lp_plugin_descriptor));
  return 0;
}
