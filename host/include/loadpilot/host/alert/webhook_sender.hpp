// Posts JSON bodies to a webhook from a background thread (libcurl), so a
// slow receiver never stalls the run's tick loop. A 5xx answer, a timeout or
// a connection failure is retried with exponential backoff; a 4xx is not
// (the receiver refused the body, sending it again would not help).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace lp {

struct RetryPolicy {
  int max_attempts = 5;
  std::chrono::milliseconds first_backoff{200};  // doubled after each failed attempt
  std::chrono::milliseconds max_backoff{5000};
  std::chrono::milliseconds timeout{5000};  // per attempt, connect included
};

struct WebhookStats {
  std::uint64_t delivered = 0;  // a 2xx answer
  std::uint64_t failed = 0;     // given up: a 4xx, or every attempt failed
  std::uint64_t attempts = 0;   // HTTP requests made
  std::uint64_t pending = 0;    // queued or in progress
  std::string last_error;
};

class WebhookSender {
 public:
  explicit WebhookSender(std::string url, RetryPolicy policy = {});
  ~WebhookSender();  // flush(0): drops what is still queued, with a warning
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  void post(std::string json_body);
  // Waits until everything queued has been delivered or given up, at most
  // `deadline`; returns whether the queue is empty.
  bool flush(std::chrono::milliseconds deadline);
  WebhookStats stats() const;
  const std::string& url() const { return url_; }

 private:
  void run();
  bool deliver(const std::string& body);  // true: done (delivered or refused)

  const std::string url_;
  const RetryPolicy policy_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<std::string> queue_;
  bool busy_ = false;
  bool stopping_ = false;
  WebhookStats stats_;
  std::thread worker_;
};

}  // namespace lp
