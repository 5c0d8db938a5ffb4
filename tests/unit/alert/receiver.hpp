// A real HTTP receiver on 127.0.0.1 for the webhook tests: answers each
// POST with the next status of a script (then 200), records the bodies.
#pragma once

#include <atomic>
#include <boost/asio.hpp>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace lp::testing {

class Receiver {
 public:
  explicit Receiver(std::vector<int> statuses) : statuses_(std::move(statuses)) {
    acceptor_.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
    acceptor_.listen();
    thread_ = std::thread([this] { serve(); });
  }
  ~Receiver() {
    stopping_ = true;
    boost::system::error_code ignored;
    // Wake the blocking accept with a connection of our own.
    boost::asio::ip::tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ignored);
    thread_.join();
  }

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/hook";
  }
  std::vector<std::string> bodies() const {
    std::lock_guard lock(mutex_);
    return bodies_;
  }
  int requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    while (!stopping_) {
      boost::asio::ip::tcp::socket s(io_);
      boost::system::error_code ec;
      acceptor_.accept(s, ec);
      if (ec || stopping_) return;
      std::string data;
      char buf[4096];
      std::size_t header_end = std::string::npos;
      std::size_t length = 0;
      while (true) {
        const std::size_t n = s.read_some(boost::asio::buffer(buf), ec);
        if (ec) break;
        data.append(buf, n);
        if (header_end == std::string::npos) {
          header_end = data.find("\r\n\r\n");
          if (header_end == std::string::npos) continue;
          const auto at = data.find("Content-Length: ");
          if (at != std::string::npos && at < header_end) length = std::stoul(data.substr(at + 16));
        }
        if (data.size() >= header_end + 4 + length) break;
      }
      if (header_end == std::string::npos) continue;
      int status = 200;
      {
        std::lock_guard lock(mutex_);
        if (static_cast<std::size_t>(requests_) < statuses_.size()) status = statuses_[requests_];
        ++requests_;
        if (status == 200) bodies_.push_back(data.substr(header_end + 4, length));
      }
      const std::string reply = "HTTP/1.1 " + std::to_string(status) +
                                " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
      boost::asio::write(s, boost::asio::buffer(reply), ec);
    }
  }

  std::vector<int> statuses_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_{io_, boost::asio::ip::tcp::v4()};
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> bodies_;
  int requests_ = 0;
};

}  // namespace lp::testing
