// The service's lifecycle: listening, accepting, periodic stalls, the runtime bound and the
// graceful shutdown on SIGINT/SIGTERM.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <string_view>

#include "metrics.hpp"
#include "options.hpp"
#include "service.hpp"
#include "session_set.hpp"
#include "worker_pool.hpp"

namespace lp::demo_target {

class Server {
 public:
  explicit Server(const Options& opts);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; throws boost::system::system_error if the address is unusable.
  boost::asio::ip::tcp::endpoint listen();
  // Serves until shutdown; returns the process exit code.
  int run();

 private:
  void accept();
  void tick_stall();
  void shutdown(std::string_view reason);
  void poll_drained();

  const Options& opts_;
  // Sessions still owned by pending handlers are destroyed with the io_context and then touch
  // these two, so they are declared (and outlive it) before it.
  Metrics metrics_;
  SessionSet sessions_;
  boost::asio::io_context ioc_;
  // I/O objects after the io_context: they must be destroyed before it.
  WorkerPool pool_;
  Service service_;
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer accept_retry_;
  boost::asio::steady_timer stall_ticker_;
  boost::asio::steady_timer max_runtime_;
  boost::asio::steady_timer drain_poll_;
  std::chrono::steady_clock::time_point drain_deadline_{};
  bool stopping_ = false;
};

}  // namespace lp::demo_target
