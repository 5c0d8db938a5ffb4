#include "catalogue.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace lp::demo_target {
namespace {

constexpr std::array<std::string_view, 10> kAdjectives{"Red",   "Blue",  "Green", "Small", "Large",
                                                       "Smart", "Quiet", "Fast",  "Solid", "Light"};
constexpr std::array<std::string_view, 10> kNouns{"Chair", "Lamp",   "Desk",  "Kettle", "Phone",
                                                  "Shelf", "Jacket", "Watch", "Bottle", "Speaker"};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

Catalogue::Catalogue() {
  items_.reserve(kSize);
  lower_names_.reserve(kSize);
  for (unsigned id = 1; id <= kSize; ++id) {
    const unsigned n = id - 1;
    Item item;
    item.id = id;
    item.name = fmt::format("{} {} {}", kAdjectives[n % 10], kNouns[(n / 10) % 10], n / 100 + 1);
    item.price = 5.0 + static_cast<double>((id * 37) % 1000) / 10.0;
    lower_names_.push_back(lower(item.name));
    items_.push_back(std::move(item));
  }
}

const Item* Catalogue::find(unsigned id) const {
  return id >= 1 && id <= kSize ? &items_[id - 1] : nullptr;
}

std::vector<const Item*> Catalogue::page(unsigned page) const {
  std::vector<const Item*> out;
  for (std::size_t i = std::size_t{page} * kPageSize; i < items_.size() && out.size() < kPageSize;
       ++i) {
    out.push_back(&items_[i]);
  }
  return out;
}

std::vector<const Item*> Catalogue::search(std::string_view query, std::size_t limit) const {
  const std::string q = lower(query);
  std::vector<const Item*> out;
  for (std::size_t i = 0; i < items_.size() && out.size() < limit; ++i) {
    if (lower_names_[i].find(q) != std::string::npos) {
      out.push_back(&items_[i]);
    }
  }
  return out;
}

}  // namespace lp::demo_target
