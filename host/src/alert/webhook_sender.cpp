#include "loadpilot/host/alert/webhook_sender.hpp"

#include <curl/curl.h>
#include <spdlog/spdlog.h>

#include <algorithm>

namespace lp {
namespace {

std::size_t discard(char*, std::size_t size, std::size_t n, void*) {
  return size * n;
}

// curl_global_init is not thread-safe; once per process, before any handle.
void init_curl_once() {
  static const bool done = [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return true;
  }();
  (void)done;
}

}  // namespace

WebhookSender::WebhookSender(std::string url, RetryPolicy policy)
    : url_(std::move(url)), policy_(policy) {
  init_curl_once();
  worker_ = std::thread([this] { run(); });
}

WebhookSender::~WebhookSender() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    if (!queue_.empty()) {
      spdlog::warn("webhook {}: {} alert(s) not sent at shutdown", url_, queue_.size());
      queue_.clear();
    }
  }
  wake_.notify_all();
  worker_.join();
}

void WebhookSender::post(std::string json_body) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(json_body));
    ++stats_.pending;
  }
  wake_.notify_one();
}

bool WebhookSender::flush(std::chrono::milliseconds deadline) {
  std::unique_lock lock(mutex_);
  return idle_.wait_for(lock, deadline, [this] { return queue_.empty() && !busy_; });
}

WebhookStats WebhookSender::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void WebhookSender::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    std::string body = std::move(queue_.front());
    queue_.pop_front();
    busy_ = true;
    lock.unlock();
    const bool ok = deliver(body);
    lock.lock();
    busy_ = false;
    --stats_.pending;
    ++(ok ? stats_.delivered : stats_.failed);
    if (queue_.empty()) idle_.notify_all();
  }
}

bool WebhookSender::deliver(const std::string& body) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) {
    std::lock_guard lock(mutex_);
    stats_.last_error = "curl_easy_init failed";
    return false;
  }
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url_.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(policy_.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &discard);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "loadpilot/" LOADPILOT_VERSION);

  bool done = false;
  bool delivered = false;
  std::string error;
  auto backoff = policy_.first_backoff;
  for (int attempt = 1; attempt <= policy_.max_attempts && !done; ++attempt) {
    const CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    {
      std::lock_guard lock(mutex_);
      ++stats_.attempts;
    }
    if (rc == CURLE_OK && status >= 200 && status < 300) {
      done = delivered = true;
    } else if (rc == CURLE_OK && status >= 400 && status < 500) {
      done = true;
      error = "refused with HTTP " + std::to_string(status);
    } else {
      error = rc != CURLE_OK ? curl_easy_strerror(rc) : "HTTP " + std::to_string(status);
      if (attempt < policy_.max_attempts) {
        std::unique_lock lock(mutex_);
        // Woken early only by shutdown, which gives up on the alert.
        if (wake_.wait_for(lock, backoff, [this] { return stopping_; })) break;
        backoff = std::min(backoff * 2, policy_.max_backoff);
      }
    }
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  if (!delivered) {
    spdlog::warn("webhook {}: alert not delivered: {}", url_, error);
    std::lock_guard lock(mutex_);
    stats_.last_error = error;
  }
  return delivered;
}

}  // namespace lp
