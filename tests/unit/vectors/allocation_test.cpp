// Rendering is on the engine's hot path: once the reused buffers have grown,
// it must not allocate. Counted with a replaced global operator new.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "vectors_test_support.hpp"

// AddressSanitizer owns operator new; replacing it there makes ASan report
// mismatched frees, so the count is only taken in ordinary builds.
#if defined(__SANITIZE_ADDRESS__)
#define LP_COUNT_ALLOCATIONS 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define LP_COUNT_ALLOCATIONS 0
#endif
#endif
#ifndef LP_COUNT_ALLOCATIONS
#define LP_COUNT_ALLOCATIONS 1
#endif

namespace {
std::atomic<bool> g_counting{false};
std::atomic<std::size_t> g_allocations{0};
}  // namespace

#if LP_COUNT_ALLOCATIONS
// GCC flags the free() in the replaced operator delete wherever it inlines it
// after a new-expression; it cannot see that our operator new uses malloc.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t size) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1);
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#endif

namespace lp::vectors {
namespace {

TEST(RenderAllocations, NoneOnceWarm) {
  if (!LP_COUNT_ALLOCATIONS) GTEST_SKIP() << "allocations are not counted under AddressSanitizer";
  const LoadVector v = testing::vector_of(R"([
      {"method": "POST", "path": "/u/${vu}/c/${capture.cart}?q=${csv_random(data/users.csv,name)}",
       "frequency": 50, "headers": {"X-Id": "${uuid}", "X-Seq": "${seq}"},
       "payload_template": "{\"n\": ${seq}, \"r\": ${random_int(1,1000000)}, \"s\": \"${random_string(16)}\", \"t\": ${timestamp_ms}, \"iso\": \"${now_iso}\", \"ts\": ${timestamp}, \"e\": \"${csv(data/users.csv,email)}\"}",
       "capture": {"cart": {"header": "Location"}}},
      {"method": "GET", "path": "/health", "frequency": 50}])");
  VectorRuntime runtime(v);
  RenderContext ctx(11);
  RenderedRequest out;
  const HeaderView headers[] = {{"Location", "cart-12345"}};
  for (uint64_t vu = 0; vu < 4; ++vu) {
    ctx.set_vu(vu);
    runtime.apply_captures(0, 201, headers, "", ctx);
    for (int i = 0; i < 100; ++i) {
      runtime.render(0, ctx, out);
      runtime.render(1, ctx, out);
    }
  }
  g_allocations = 0;
  g_counting = true;
  for (int i = 0; i < 1000; ++i) {
    ctx.set_vu(static_cast<uint64_t>(i % 4));
    runtime.render(static_cast<std::size_t>(i % 2), ctx, out);
  }
  g_counting = false;
  EXPECT_EQ(g_allocations.load(), 0u);

  // The counter itself works: a cold buffer does allocate.
  RenderedRequest cold;
  g_counting = true;
  runtime.render(0, ctx, cold);
  g_counting = false;
  EXPECT_GT(g_allocations.load(), 0u);
  runtime.render(0, ctx, out);
  EXPECT_NE(out.target.find("/c/cart-12345?q="), std::string::npos) << out.target;
}

}  // namespace
}  // namespace lp::vectors
