// A fixed, generated product catalogue behind the browse and search routes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace lp::demo_target {

struct Item {
  unsigned id = 0;
  std::string name;
  double price = 0;
};

class Catalogue {
 public:
  static constexpr unsigned kSize = 1000;
  static constexpr unsigned kPageSize = 10;

  Catalogue();

  // nullptr unless 1 <= id <= kSize.
  const Item* find(unsigned id) const;
  // Page 0 is items 1..10; pages past the end are empty.
  std::vector<const Item*> page(unsigned page) const;
  // Case-insensitive substring match on names, in id order, at most `limit` items.
  std::vector<const Item*> search(std::string_view query, std::size_t limit) const;

 private:
  std::vector<Item> items_;
  std::vector<std::string> lower_names_;
};

}  // namespace lp::demo_target
