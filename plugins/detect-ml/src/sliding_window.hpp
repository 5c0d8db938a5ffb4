// The streaming protocol the learned detectors share (and the scikit-learn
// references in bench/nab_reference.py follow exactly): per point, form the
// feature vector (the last `shingle` inputs, oldest first); score it with the
// current model (0 before the first fit); append it to a window of the most
// recent `window` vectors; once `train_min` vectors have arrived, fit, and
// refit every `refit_every` vectors after that.
#pragma once

#include <armadillo>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <stdexcept>
#include <vector>

namespace lp::detect {

struct WindowOptions {
  std::size_t shingle = 1;
  std::size_t window = 1024;
  std::size_t train_min = 256;
  std::size_t refit_every = 256;

  void check() const {
    if (shingle < 1) throw std::invalid_argument("shingle must be >= 1");
    if (train_min < 8) throw std::invalid_argument("train_min must be >= 8");
    if (window < train_min) throw std::invalid_argument("window must be >= train_min");
    if (refit_every < 1) throw std::invalid_argument("refit_every must be >= 1");
  }
};

// Model: fit(const arma::mat& columns) and double score(const arma::vec&) const.
template <typename Model>
class SlidingWindow {
 public:
  SlidingWindow(WindowOptions options, Model model) : o_(options), model_(std::move(model)) {
    o_.check();
  }

  // The score of this input vector (all inputs must have the same size), or
  // nothing while the shingle is still filling.
  std::optional<double> observe(std::span<const double> input) {
    if (dim_ == 0) dim_ = input.size();
    if (input.size() != dim_ || dim_ == 0) {
      throw std::invalid_argument("expected " + std::to_string(dim_) + " values, got " +
                                  std::to_string(input.size()));
    }
    inputs_.emplace_back(input.begin(), input.end());
    if (inputs_.size() > o_.shingle) inputs_.pop_front();
    if (inputs_.size() < o_.shingle) return std::nullopt;
    arma::vec x(dim_ * o_.shingle);
    std::size_t k = 0;
    for (const auto& in : inputs_) {
      for (const double v : in) x(k++) = v;
    }
    const double s = fitted_ ? model_.score(x) : 0.0;
    window_.push_back(std::move(x));
    if (window_.size() > o_.window) window_.pop_front();
    ++count_;
    ++since_fit_;
    if (count_ >= o_.train_min && (!fitted_ || since_fit_ >= o_.refit_every)) {
      arma::mat columns(window_.front().n_elem, window_.size());
      for (std::size_t i = 0; i < window_.size(); ++i) columns.col(i) = window_[i];
      model_.fit(columns);
      fitted_ = true;
      since_fit_ = 0;
    }
    return s;
  }

  bool fitted() const { return fitted_; }
  const Model& model() const { return model_; }
  std::uint64_t warmup() const { return o_.train_min + o_.shingle - 1; }

 private:
  WindowOptions o_;
  Model model_;
  std::size_t dim_ = 0;
  std::deque<std::vector<double>> inputs_;
  std::deque<arma::vec> window_;
  std::uint64_t count_ = 0;
  std::uint64_t since_fit_ = 0;
  bool fitted_ = false;
};

}  // namespace lp::detect
