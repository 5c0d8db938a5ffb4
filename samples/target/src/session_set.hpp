// The open connections, so that shutdown can close idle ones and wait for busy ones.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <unordered_map>

namespace lp::demo_target {

class Session;

class SessionSet {
 public:
  void add(const std::shared_ptr<Session>& session);
  void remove(const Session* session);
  std::size_t size() const;
  // Asks every session to close once its current request (if any) is answered.
  void close_all_when_idle();

 private:
  mutable std::mutex mu_;
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions_;
};

}  // namespace lp::demo_target
