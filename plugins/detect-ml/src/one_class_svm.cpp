#include "one_class_svm.hpp"

#include <libsvm/svm.h>

#include <cmath>
#include <mutex>
#include <stdexcept>

namespace lp::detect {
namespace {

void quiet(const char*) {}

// libsvm prints its progress to stdout unless told otherwise (process-wide).
void silence_libsvm() {
  static std::once_flag once;
  std::call_once(once, [] { svm_set_print_string_function(&quiet); });
}

}  // namespace

// The model's support vectors point into `nodes`, so both live together.
struct OneClassSvm::Fitted {
  std::vector<svm_node> nodes;
  std::vector<svm_node*> rows;
  std::vector<double> labels;
  svm_model* model = nullptr;
  arma::vec mean;
  arma::vec scale;  // 1 / deviation
  mutable std::vector<svm_node> query;
  ~Fitted() {
    if (model != nullptr) svm_free_and_destroy_model(&model);
  }
};

OneClassSvm::OneClassSvm(OneClassSvmOptions options) : o_(options) {
  if (!(o_.nu > 0 && o_.nu <= 1)) throw std::invalid_argument("nu must be in (0, 1]");
  if (!(o_.gamma >= 0)) throw std::invalid_argument("gamma must be >= 0");
  if (!(o_.tolerance > 0)) throw std::invalid_argument("tolerance must be > 0");
  silence_libsvm();
}

OneClassSvm::~OneClassSvm() = default;
OneClassSvm::OneClassSvm(OneClassSvm&&) noexcept = default;
OneClassSvm& OneClassSvm::operator=(OneClassSvm&&) noexcept = default;

void OneClassSvm::fit(const arma::mat& points) {
  const arma::uword d = points.n_rows;
  const arma::uword n = points.n_cols;
  if (n < 2 || d == 0) throw std::invalid_argument("one-class SVM needs at least 2 points");
  auto f = std::make_unique<Fitted>();
  f->mean = arma::mean(points, 1);
  const arma::vec sd = arma::stddev(points, 1, 1);  // population deviation
  f->scale = arma::vec(d);
  for (arma::uword j = 0; j < d; ++j) f->scale(j) = sd(j) > 0 ? 1.0 / sd(j) : 1.0;

  f->nodes.resize(static_cast<std::size_t>(n * (d + 1)));
  f->rows.resize(n);
  f->labels.assign(n, 1.0);
  for (arma::uword i = 0; i < n; ++i) {
    svm_node* row = &f->nodes[static_cast<std::size_t>(i * (d + 1))];
    for (arma::uword j = 0; j < d; ++j) {
      row[j].index = static_cast<int>(j + 1);
      row[j].value = (points(j, i) - f->mean(j)) * f->scale(j);
    }
    row[d].index = -1;
    f->rows[i] = row;
  }
  svm_problem problem{};
  problem.l = static_cast<int>(n);
  problem.y = f->labels.data();
  problem.x = f->rows.data();
  svm_parameter param{};
  param.svm_type = ONE_CLASS;
  param.kernel_type = RBF;
  param.gamma = o_.gamma > 0 ? o_.gamma : 1.0 / static_cast<double>(d);
  param.nu = o_.nu;
  param.eps = o_.tolerance;
  param.cache_size = 64;
  param.shrinking = 1;
  param.probability = 0;
  if (const char* error = svm_check_parameter(&problem, &param)) {
    throw std::invalid_argument(std::string("libsvm: ") + error);
  }
  f->model = svm_train(&problem, &param);
  f->query.resize(d + 1);
  fitted_ = std::move(f);
}

double OneClassSvm::decision(const arma::vec& x) const {
  if (!fitted_) return 0;
  const arma::uword d = fitted_->mean.n_elem;
  if (x.n_elem != d) throw std::invalid_argument("feature vector size differs from the fit");
  for (arma::uword j = 0; j < d; ++j) {
    fitted_->query[j].index = static_cast<int>(j + 1);
    fitted_->query[j].value = (x(j) - fitted_->mean(j)) * fitted_->scale(j);
  }
  fitted_->query[d].index = -1;
  double value = 0;
  svm_predict_values(fitted_->model, fitted_->query.data(), &value);
  return value;
}

double OneClassSvm::rho() const {
  return fitted_ ? fitted_->model->rho[0] : 0.0;
}

std::size_t OneClassSvm::support_vectors() const {
  return fitted_ ? static_cast<std::size_t>(fitted_->model->l) : 0;
}

double OneClassSvm::score(const arma::vec& x) const {
  if (!fitted_) return 0;
  const double r = std::fabs(rho()) > 1e-12 ? rho() : 1.0;
  const double t = 10.0 * decision(x) / r;
  if (t > 700) return 0;  // exp overflow: deep inside
  return 1.0 / (1.0 + std::exp(t));
}

}  // namespace lp::detect
