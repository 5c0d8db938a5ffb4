// The host end of the shim's socket: listens on 127.0.0.1 or the address the
// workers reach the host on (a port the system
// picks), accepts the connections of the Locust processes that present the
// run's token, turns their sample batches into lp_samples and sends them
// control messages. One I/O thread; the tool's calls read snapshots.
#pragma once

#include <loadpilot/abi.h>

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace lp::locust {

// What the host knows of one connected Locust process.
struct ShimPeer {
  int id = 0;        // order of connection, from 1
  std::string role;  // "local", "master" or "worker"
  int pid = 0;
  std::uint32_t generator = 0;  // lp_sample.generator of its samples (worker index + 1)
  nlohmann::json status;        // its last status report
  bool said_bye = false;        // sent everything it had, on purpose
  bool closed = false;          // the connection has ended
  std::string address;          // where it connected from (its host)
  std::uint64_t samples = 0;    // samples received from it
};

class ShimServer {
 public:
  // Names of Locust requests ("METHOD name") listed in `types` get their own
  // request type; every other name goes to the last type (the catch-all).
  // `bind`: the IP address to listen on (the workers' route to the host).
  ShimServer(std::vector<std::string> types, std::string token,
             const std::string& bind = "127.0.0.1");
  ~ShimServer();
  ShimServer(const ShimServer&) = delete;
  ShimServer& operator=(const ShimServer&) = delete;

  std::uint16_t port() const;
  // Queues a control message (JSON) to one peer; false if it is gone.
  bool send(int peer_id, const nlohmann::json& control);
  std::vector<ShimPeer> peers() const;
  // Moves every sample received since the last call to `out`.
  void drain(std::vector<lp_sample>& out);
  // Requests per Locust name so far, for the stop report.
  std::map<std::string, std::uint64_t> name_counts() const;
  std::uint64_t samples_received() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A port free on `bind` just now (for the Locust master, which needs a number).
std::uint16_t free_local_port(const std::string& bind = "127.0.0.1");

}  // namespace lp::locust
