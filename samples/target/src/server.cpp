#include "server.hpp"

#include <fmt/format.h>

#include <boost/asio/ip/address.hpp>
#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include "session.hpp"

namespace lp::demo_target {
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Shutdown lets in-flight requests finish for at most this long.
constexpr auto kShutdownGrace = std::chrono::seconds(1);
constexpr auto kDrainPoll = std::chrono::milliseconds(5);
constexpr auto kAcceptRetry = std::chrono::milliseconds(50);

WorkerPool::Settings pool_settings(const Options& o) {
  WorkerPool::Settings s;
  s.workers = o.workers;
  s.queue = o.queue;
  s.service_time_ms = o.service_time_ms;
  s.jitter = o.service_jitter;
  s.mode = o.service_mode;
  s.seed = o.seed;
  return s;
}

void log_line(const std::string& line) {
  std::fputs(line.c_str(), stdout);
  std::fputc('\n', stdout);
  std::fflush(stdout);
}

}  // namespace

Server::Server(const Options& opts)
    : opts_(opts),
      ioc_(static_cast<int>(opts.io_threads)),
      pool_(ioc_, pool_settings(opts)),
      service_(opts, pool_, metrics_),
      strand_(net::make_strand(ioc_)),
      acceptor_(strand_),
      signals_(strand_, SIGINT, SIGTERM),
      accept_retry_(strand_),
      stall_ticker_(strand_),
      max_runtime_(strand_),
      drain_poll_(strand_) {}

tcp::endpoint Server::listen() {
  const tcp::endpoint endpoint(net::ip::make_address(opts_.listen_host), opts_.listen_port);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
  return acceptor_.local_endpoint();
}

int Server::run() {
  // Everything below runs on strand_, so none of it races with shutdown().
  net::post(strand_, [this] {
    accept();
    signals_.async_wait([this](const boost::system::error_code& ec, int signo) {
      if (ec) {
        return;
      }
      shutdown(signo == SIGINT ? "SIGINT" : "SIGTERM");
      // A second signal while draining stops at once.
      signals_.async_wait([this](const boost::system::error_code& ec2, int) {
        if (!ec2) {
          ioc_.stop();
        }
      });
    });
    if (opts_.max_runtime > Duration::zero()) {
      max_runtime_.expires_after(opts_.max_runtime);
      max_runtime_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) {
          shutdown(fmt::format("max runtime {} reached", format_duration(opts_.max_runtime)));
        }
      });
    }
    if (opts_.stall_every > Duration::zero()) {
      stall_ticker_.expires_after(opts_.stall_every);
      stall_ticker_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) {
          tick_stall();
        }
      });
    }
  });
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < opts_.io_threads; ++i) {
    threads.emplace_back([this] { ioc_.run(); });
  }
  ioc_.run();
  for (auto& t : threads) {
    t.join();
  }
  return 0;
}

void Server::accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](const boost::system::error_code& ec,
                                                        tcp::socket socket) {
    if (stopping_ || ec == net::error::operation_aborted) {
      return;
    }
    if (ec) {
      // Out of descriptors, say: back off rather than spin.
      std::fprintf(stderr, "loadpilot-demo-target: accept: %s\n", ec.message().c_str());
      accept_retry_.expires_after(kAcceptRetry);
      accept_retry_.async_wait([this](const boost::system::error_code& e) {
        if (!e) {
          accept();
        }
      });
      return;
    }
    std::make_shared<Session>(std::move(socket), SessionEnv{service_, pool_, metrics_, sessions_})
        ->start();
    accept();
  });
}

// Scheduled from the previous expiry, not from now, so the period does not drift.
void Server::tick_stall() {
  pool_.stall(opts_.stall_for);
  stall_ticker_.expires_at(stall_ticker_.expiry() + opts_.stall_every);
  stall_ticker_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) {
      tick_stall();
    }
  });
}

void Server::shutdown(std::string_view reason) {
  if (stopping_) {
    return;
  }
  stopping_ = true;
  log_line(fmt::format("shutting down ({}): {} connection(s) open, {} request(s) in flight", reason,
                       sessions_.size(), metrics_.in_flight()));
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  accept_retry_.cancel();
  stall_ticker_.cancel();
  max_runtime_.cancel();
  pool_.stop_stalls();  // a stall must not hold answers past the grace period
  sessions_.close_all_when_idle();
  drain_deadline_ = std::chrono::steady_clock::now() + kShutdownGrace;
  poll_drained();
}

void Server::poll_drained() {
  const bool drained = sessions_.size() == 0;
  if (drained || std::chrono::steady_clock::now() >= drain_deadline_) {
    log_line(drained ? "stopped"
                     : fmt::format("stopped; {} request(s) abandoned after the grace period",
                                   metrics_.in_flight()));
    ioc_.stop();
    return;
  }
  drain_poll_.expires_after(kDrainPoll);
  drain_poll_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) {
      poll_drained();
    }
  });
}

}  // namespace lp::demo_target
