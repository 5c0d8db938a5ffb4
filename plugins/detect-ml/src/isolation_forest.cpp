#include "isolation_forest.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace lp::detect {

double average_path_length(double n) {
  if (n <= 1) return 0;
  if (n <= 2) return 1;
  constexpr double kEulerGamma = 0.5772156649015329;
  return 2.0 * (std::log(n - 1.0) + kEulerGamma) - 2.0 * (n - 1.0) / n;
}

IsolationForest::IsolationForest(IsolationForestOptions options) : o_(options), rng_(options.seed) {
  if (o_.trees < 1) throw std::invalid_argument("trees must be >= 1");
  if (o_.subsample < 2) throw std::invalid_argument("subsample must be >= 2");
}

void IsolationForest::fit(const arma::mat& points) {
  const std::size_t n = points.n_cols;
  if (n < 2) throw std::invalid_argument("isolation forest needs at least 2 points");
  const std::size_t psi = std::min<std::size_t>(static_cast<std::size_t>(o_.subsample), n);
  const int max_depth =
      static_cast<int>(std::ceil(std::log2(static_cast<double>(std::max<std::size_t>(psi, 2)))));
  c_psi_ = average_path_length(static_cast<double>(psi));
  std::vector<arma::uword> all(n);
  std::iota(all.begin(), all.end(), arma::uword{0});
  std::vector<Tree> trees(static_cast<std::size_t>(o_.trees));
  for (Tree& tree : trees) {
    // A partial Fisher-Yates shuffle draws psi points without replacement.
    for (std::size_t i = 0; i < psi; ++i) {
      std::uniform_int_distribution<std::size_t> pick(i, n - 1);
      std::swap(all[i], all[pick(rng_)]);
    }
    std::vector<arma::uword> idx(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(psi));
    tree.reserve(2 * psi);
    grow(tree, points, idx, 0, psi, 0, max_depth);
  }
  trees_ = std::move(trees);
}

int IsolationForest::grow(Tree& tree, const arma::mat& points, std::vector<arma::uword>& idx,
                          std::size_t begin, std::size_t end, int depth, int max_depth) {
  const int id = static_cast<int>(tree.size());
  tree.push_back(Node{});
  tree[static_cast<std::size_t>(id)].size = static_cast<int>(end - begin);
  if (depth >= max_depth || end - begin < 2) return id;
  // Features in random order; the first non-constant one splits the node.
  std::vector<arma::uword> features(points.n_rows);
  std::iota(features.begin(), features.end(), arma::uword{0});
  std::shuffle(features.begin(), features.end(), rng_);
  for (const arma::uword f : features) {
    double lo = points(f, idx[begin]);
    double hi = lo;
    for (std::size_t i = begin + 1; i < end; ++i) {
      lo = std::min(lo, points(f, idx[i]));
      hi = std::max(hi, points(f, idx[i]));
    }
    if (!(hi > lo)) continue;
    double threshold = std::uniform_real_distribution<double>(lo, hi)(rng_);
    if (threshold >= hi) threshold = lo;
    const auto mid = std::partition(idx.begin() + static_cast<std::ptrdiff_t>(begin),
                                    idx.begin() + static_cast<std::ptrdiff_t>(end),
                                    [&](arma::uword i) { return points(f, i) <= threshold; });
    const auto split = static_cast<std::size_t>(mid - idx.begin());
    const int left = grow(tree, points, idx, begin, split, depth + 1, max_depth);
    const int right = grow(tree, points, idx, split, end, depth + 1, max_depth);
    Node& node = tree[static_cast<std::size_t>(id)];
    node.feature = static_cast<int>(f);
    node.threshold = threshold;
    node.left = left;
    node.right = right;
    return id;
  }
  return id;  // every feature constant: a leaf
}

double IsolationForest::path_length(const Tree& tree, const arma::vec& x) const {
  int depth = 0;
  const Node* node = &tree[0];
  while (node->feature >= 0) {
    const int next =
        x(static_cast<arma::uword>(node->feature)) <= node->threshold ? node->left : node->right;
    node = &tree[static_cast<std::size_t>(next)];
    ++depth;
  }
  return depth + average_path_length(node->size);
}

double IsolationForest::score(const arma::vec& x) const {
  if (trees_.empty()) return 0;
  double total = 0;
  for (const Tree& tree : trees_) total += path_length(tree, x);
  const double mean = total / static_cast<double>(trees_.size());
  return std::pow(2.0, -mean / c_psi_);
}

}  // namespace lp::detect
