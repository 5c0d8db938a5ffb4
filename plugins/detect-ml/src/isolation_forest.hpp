// Isolation Forest (Liu, Ting and Zhou 2008) as scikit-learn builds it:
// `trees` random trees, each on a subsample of min(`subsample`, n) points
// drawn without replacement, split on a random non-constant feature at a
// threshold uniform between its minimum and maximum, grown to depth
// ceil(log2(psi)). score(x) = 2^(-E[h(x)] / c(psi)), with h the leaf depth
// plus c(leaf size) and c(n) the average unsuccessful-search path length.
#pragma once

#include <armadillo>
#include <cstdint>
#include <random>
#include <vector>

namespace lp::detect {

// c(n): 0 for n <= 1, 1 for n == 2, else 2 (ln(n - 1) + gamma) - 2 (n - 1) / n.
double average_path_length(double n);

struct IsolationForestOptions {
  int trees = 100;
  int subsample = 256;
  std::uint64_t seed = 1;
};

class IsolationForest {
 public:
  explicit IsolationForest(IsolationForestOptions options);  // std::invalid_argument
  // Columns are points. Replaces any earlier fit; the random stream goes on,
  // so successive fits differ but a seed reproduces the whole sequence.
  void fit(const arma::mat& points);
  double score(const arma::vec& x) const;  // 0 before a fit
  bool fitted() const { return !trees_.empty(); }

 private:
  struct Node {
    int feature = -1;  // -1: a leaf
    double threshold = 0;
    int left = -1;
    int right = -1;
    int size = 0;  // training points that reached the node
  };
  using Tree = std::vector<Node>;

  int grow(Tree& tree, const arma::mat& points, std::vector<arma::uword>& idx, std::size_t begin,
           std::size_t end, int depth, int max_depth);
  double path_length(const Tree& tree, const arma::vec& x) const;

  IsolationForestOptions o_;
  std::mt19937_64 rng_;
  std::vector<Tree> trees_;
  double c_psi_ = 1;
};

}  // namespace lp::detect
