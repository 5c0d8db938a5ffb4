// The network, behind a torch-free interface so only lstm_net.cpp includes
// torch's (slow to compile) headers. An LSTM reads the window as tokens of one
// season each; a linear head gives every step ahead and every trained
// quantile as a correction to a learned mix of the window's past seasons
// (one weight per past season and season ahead) that starts as the seasonal
// naive, so an untrained network already forecasts the last season and a
// noiseless pattern is kept.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "windows.hpp"

namespace lp::forecast::lstm {

struct NetOptions {
  Shape shape;
  std::vector<double> levels{0.025, 0.1, 0.5, 0.9, 0.975};  // trained quantiles, ascending
  std::size_t hidden = 8;
  std::size_t epochs = 60;  // at most
  double max_seconds = 4;   // training budget per fit (CPU seconds of the thread)
  std::size_t batch = 64;
  double learning_rate = 3e-4;
  std::size_t patience = 5;  // epochs without a better held-out loss
  std::uint64_t seed = 1;
  std::size_t threads = 1;  // torch intra-op threads (1: deterministic)
};

struct TrainReport {
  std::size_t epochs = 0;      // run
  std::size_t best_epoch = 0;  // whose weights were kept
  double best_loss = 0;        // held-out pinball loss (training loss without a held-out set)
  double initial_loss = 0;     // held-out pinball loss before training
  double seconds = 0;
};

class LstmNet {
 public:
  LstmNet();
  ~LstmNet();
  LstmNet(LstmNet&&) noexcept;
  LstmNet& operator=(LstmNet&&) noexcept;

  // Fresh weights drawn from options.seed (process-wide lock: torch's
  // generator is global).
  void init(const NetOptions& options);
  bool ready() const;

  // Adam on the pinball loss over the trained levels, masked targets
  // excluded; keeps the weights of the best epoch on `held_out` (when it has
  // windows), stops after `patience` epochs without progress, `epochs` or
  // `max_seconds`.
  TrainReport train(const Batch& windows, const Batch& held_out, const NetOptions& options,
                    std::size_t epochs, double learning_rate);

  // count x horizon x levels, normalised (sorted along the levels).
  std::vector<float> forward(const Batch& windows) const;

  // The weights as torch::save writes them, and back (after init with the same options).
  std::string weights() const;
  void load_weights(const std::string& bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lp::forecast::lstm
