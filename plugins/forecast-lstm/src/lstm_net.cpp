// The only translation unit that includes torch.
#include "lstm_net.hpp"

#include <ATen/Parallel.h>
#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/rnn.h>
#include <torch/nn/utils/clip_grad.h>
#include <torch/optim/adam.h>
#include <torch/serialize.h>
#include <torch/utils.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <limits>
#include <mutex>
#include <numeric>
#include <random>
#include <sstream>
#include <stdexcept>

namespace lp::forecast::lstm {

namespace {

struct NetImpl : torch::nn::Module {
  NetImpl(std::int64_t features, std::int64_t hidden, std::int64_t chunk, std::int64_t tokens,
          std::int64_t horizon, std::int64_t levels)
      : chunk_(chunk),
        tokens_(tokens),
        horizon_(horizon),
        levels_(levels),
        days_((horizon + chunk - 1) / chunk) {
    lstm = register_module(
        "lstm", torch::nn::LSTM(torch::nn::LSTMOptions(features, hidden).batch_first(true)));
    head = register_module("head", torch::nn::Linear(hidden, horizon * levels));
    // How much each past season counts, per season ahead: few weights, so
    // it cannot overfit, and it can learn a weekly naive or an average.
    mix = register_parameter("mix", torch::zeros({days_, tokens}));
    torch::NoGradGuard no_grad;
    mix.select(1, tokens - 1).fill_(1);  // start as the seasonal naive
    head->weight.mul_(0.1);
    head->bias.zero_();
  }

  torch::Tensor forward(const torch::Tensor& tokens, const torch::Tensor& window) {
    const torch::Tensor seq = std::get<0>(lstm->forward(tokens));
    const torch::Tensor last = seq.select(1, seq.size(1) - 1);
    const torch::Tensor q = head->forward(last).view({-1, horizon_, levels_});
    // window [B, T*chunk] -> seasons [B, T, chunk]; base [B, days, chunk] -> [B, H].
    const torch::Tensor seasons = window.view({-1, tokens_, chunk_});
    const torch::Tensor base =
        torch::einsum("btp,dt->bdp", {seasons, mix}).reshape({-1, days_ * chunk_});
    return base.slice(1, 0, horizon_).unsqueeze(2) + q;
  }

  std::int64_t chunk_, tokens_, horizon_, levels_, days_;
  torch::nn::LSTM lstm{nullptr};
  torch::nn::Linear head{nullptr};
  torch::Tensor mix;
};
TORCH_MODULE(Net);

torch::Tensor tensor(const std::vector<float>& v, std::vector<std::int64_t> shape) {
  return torch::from_blob(const_cast<float*>(v.data()), shape, torch::kFloat32).clone();
}

struct Tensors {
  torch::Tensor tokens, window, target, weight;
  std::int64_t count = 0;
};

Tensors tensors(const Batch& b, const Shape& s) {
  const auto n = static_cast<std::int64_t>(b.count);
  const auto T = static_cast<std::int64_t>(s.tokens()), F = static_cast<std::int64_t>(s.features()),
             L = static_cast<std::int64_t>(s.window), H = static_cast<std::int64_t>(s.horizon);
  return {tensor(b.tokens, {n, T, F}), tensor(b.window, {n, L}), tensor(b.target, {n, H}),
          tensor(b.weight, {n, H}), n};
}

// Mean pinball loss over the valid targets and the trained levels.
torch::Tensor pinball(const torch::Tensor& out, const torch::Tensor& target,
                      const torch::Tensor& weight, const torch::Tensor& levels) {
  const torch::Tensor diff = target.unsqueeze(2) - out;
  const torch::Tensor loss = torch::max(levels * diff, (levels - 1) * diff) * weight.unsqueeze(2);
  return loss.sum() / (weight.sum() * levels.size(0)).clamp_min(1);
}

// torch's default generator is process-wide: seeding and drawing the initial
// weights happen under one lock so concurrent fits stay reproducible.
std::mutex& init_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace

struct LstmNet::Impl {
  NetOptions options;
  Net net{nullptr};
  torch::Tensor levels;
};

LstmNet::LstmNet() = default;
LstmNet::~LstmNet() = default;
LstmNet::LstmNet(LstmNet&&) noexcept = default;
LstmNet& LstmNet::operator=(LstmNet&&) noexcept = default;

bool LstmNet::ready() const {
  return impl_ && !impl_->net.is_empty();
}

void LstmNet::init(const NetOptions& o) {
  auto impl = std::make_unique<Impl>();
  impl->options = o;
  at::set_num_threads(static_cast<int>(std::max<std::size_t>(o.threads, 1)));
  {
    std::lock_guard lock(init_mutex());
    torch::manual_seed(o.seed);
    impl->net =
        Net(static_cast<std::int64_t>(o.shape.features()), static_cast<std::int64_t>(o.hidden),
            static_cast<std::int64_t>(o.shape.chunk), static_cast<std::int64_t>(o.shape.tokens()),
            static_cast<std::int64_t>(o.shape.horizon), static_cast<std::int64_t>(o.levels.size()));
  }
  std::vector<float> lv(o.levels.begin(), o.levels.end());
  impl->levels = tensor(lv, {static_cast<std::int64_t>(lv.size())});
  impl_ = std::move(impl);
}

TrainReport LstmNet::train(const Batch& windows, const Batch& held_out, const NetOptions& o,
                           std::size_t epochs, double learning_rate) {
  if (!ready()) throw std::logic_error("train before init");
  // The budget counts this thread's CPU time, not wall time, so a loaded
  // machine does not cut training short (and change the result).
  const auto cpu_seconds = [] {
    timespec ts{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
  };
  const double t0 = cpu_seconds();
  const auto elapsed = [&] { return cpu_seconds() - t0; };
  at::set_num_threads(static_cast<int>(std::max<std::size_t>(o.threads, 1)));
  Net& net = impl_->net;
  const Tensors tr = tensors(windows, o.shape);
  const bool has_held_out = held_out.count > 0;
  const Tensors va = has_held_out ? tensors(held_out, o.shape) : Tensors{};
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(learning_rate));
  // Shuffling draws from our own generator, seeded: torch's global one is
  // shared with whatever else runs in the process.
  std::mt19937_64 rng(o.seed ^ 0x9e3779b97f4a7c15ULL);
  std::vector<std::int64_t> order(static_cast<std::size_t>(tr.count));
  std::iota(order.begin(), order.end(), 0);
  const auto batch = static_cast<std::int64_t>(std::max<std::size_t>(o.batch, 1));

  TrainReport report;
  report.best_loss = std::numeric_limits<double>::infinity();
  std::vector<torch::Tensor> best;
  const auto snapshot = [&] {
    best.clear();
    for (const auto& p : net->parameters()) best.push_back(p.detach().clone());
  };
  std::size_t since_best = 0;
  if (has_held_out) {
    torch::NoGradGuard no_grad;
    net->eval();
    report.initial_loss =
        pinball(net->forward(va.tokens, va.window), va.target, va.weight, impl_->levels)
            .item<double>();
  }
  for (std::size_t epoch = 1; epoch <= epochs && tr.count > 0; ++epoch) {
    net->train();
    std::shuffle(order.begin(), order.end(), rng);
    const torch::Tensor perm = torch::from_blob(order.data(), {tr.count}, torch::kInt64).clone();
    double sum = 0;
    for (std::int64_t from = 0; from < tr.count; from += batch) {
      const torch::Tensor idx = perm.slice(0, from, std::min(from + batch, tr.count));
      adam.zero_grad();
      const torch::Tensor out =
          net->forward(tr.tokens.index_select(0, idx), tr.window.index_select(0, idx));
      const torch::Tensor loss = pinball(out, tr.target.index_select(0, idx),
                                         tr.weight.index_select(0, idx), impl_->levels);
      loss.backward();
      torch::nn::utils::clip_grad_norm_(net->parameters(), 1.0);
      adam.step();
      sum += loss.item<double>() * static_cast<double>(idx.size(0));
    }
    double score = sum / static_cast<double>(tr.count);
    if (has_held_out) {
      torch::NoGradGuard no_grad;
      net->eval();
      score = pinball(net->forward(va.tokens, va.window), va.target, va.weight, impl_->levels)
                  .item<double>();
    }
    report.epochs = epoch;
    if (score < report.best_loss) {
      report.best_loss = score;
      report.best_epoch = epoch;
      snapshot();
      since_best = 0;
    } else if (++since_best >= o.patience) {
      break;
    }
    if (elapsed() > o.max_seconds) break;
  }
  if (!best.empty()) {
    torch::NoGradGuard no_grad;
    auto params = net->parameters();
    for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(best[i]);
  }
  report.seconds = elapsed();
  return report;
}

std::vector<float> LstmNet::forward(const Batch& windows) const {
  if (!ready()) throw std::logic_error("forward before init");
  if (windows.count == 0) return {};
  at::set_num_threads(static_cast<int>(std::max<std::size_t>(impl_->options.threads, 1)));
  torch::NoGradGuard no_grad;
  impl_->net->eval();
  const Tensors t = tensors(windows, impl_->options.shape);
  // Sorting along the levels removes any quantile crossing.
  const torch::Tensor out =
      std::get<0>(impl_->net->forward(t.tokens, t.window).sort(2)).contiguous();
  const float* p = out.data_ptr<float>();
  return std::vector<float>(p, p + out.numel());
}

std::string LstmNet::weights() const {
  if (!ready()) throw std::logic_error("weights before init");
  std::ostringstream out;
  torch::save(impl_->net, out);
  return out.str();
}

void LstmNet::load_weights(const std::string& bytes) {
  if (!ready()) throw std::logic_error("load_weights before init");
  std::istringstream in(bytes);
  torch::load(impl_->net, in);
}

}  // namespace lp::forecast::lstm
