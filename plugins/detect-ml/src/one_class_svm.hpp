// One-Class SVM (Schoelkopf et al.) through libsvm, RBF kernel, on features
// standardised with the training window's mean and population deviation.
// score(x) = 1 / (1 + exp(10 d / rho)) with d libsvm's decision value and
// rho its offset: 0.5 on the boundary, towards 1 far outside it.
#pragma once

#include <armadillo>
#include <memory>
#include <vector>

struct svm_model;
struct svm_node;

namespace lp::detect {

struct OneClassSvmOptions {
  double nu = 0.1;
  double gamma = 0;  // 0: 1 / features
  double tolerance = 1e-3;
};

class OneClassSvm {
 public:
  explicit OneClassSvm(OneClassSvmOptions options);  // std::invalid_argument
  ~OneClassSvm();
  OneClassSvm(OneClassSvm&&) noexcept;
  OneClassSvm& operator=(OneClassSvm&&) noexcept;

  void fit(const arma::mat& points);  // columns are points
  double score(const arma::vec& x) const;
  double decision(const arma::vec& x) const;  // libsvm's decision value
  double rho() const;
  std::size_t support_vectors() const;

 private:
  struct Fitted;
  OneClassSvmOptions o_;
  std::unique_ptr<Fitted> fitted_;
};

}  // namespace lp::detect
