#include "session_set.hpp"

#include <vector>

#include "session.hpp"

namespace lp::demo_target {

void SessionSet::add(const std::shared_ptr<Session>& session) {
  std::lock_guard lock(mu_);
  sessions_.emplace(session.get(), session);
}

void SessionSet::remove(const Session* session) {
  std::lock_guard lock(mu_);
  sessions_.erase(session);
}

std::size_t SessionSet::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

void SessionSet::close_all_when_idle() {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(mu_);
    for (const auto& [ptr, weak] : sessions_) {
      if (auto s = weak.lock()) {
        live.push_back(std::move(s));
      }
    }
  }
  // Outside the lock: a session's destructor takes it.
  for (const auto& s : live) {
    s->close_when_idle();
  }
}

}  // namespace lp::demo_target
