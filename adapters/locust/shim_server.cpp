#include "shim_server.hpp"

#include <boost/asio.hpp>
#include <cmath>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace lp::locust {
namespace asio = boost::asio;
using asio::ip::tcp;
using nlohmann::json;

namespace {

// A frame larger than this is a protocol error, not a batch (500 samples of
// 33 bytes each are about 16 KiB).
constexpr std::uint32_t kMaxFrame = 64u << 20;
constexpr std::size_t kSampleBytes = 8 + 8 + 8 + 4 + 4 + 1;

template <class T>
T read_le(const unsigned char* p) {
  T v;
  std::memcpy(&v, p, sizeof v);  // the shim checks that both ends are little endian
  return v;
}

std::string frame(char kind, const std::string& payload) {
  std::string out(5, '\0');
  const auto size = static_cast<std::uint32_t>(payload.size() + 1);
  std::memcpy(out.data(), &size, 4);
  out[4] = kind;
  return out + payload;
}

}  // namespace

struct ShimServer::Impl {
  struct Session : std::enable_shared_from_this<Session> {
    Session(Impl& owner, tcp::socket s) : impl(owner), socket(std::move(s)) {}
    Impl& impl;
    tcp::socket socket;
    unsigned char header[5]{};
    std::vector<unsigned char> body;
    std::deque<std::string> outbox;
    std::vector<std::uint32_t> types;  // Locust name id -> request type
    int peer = 0;                      // 0 until the hello is accepted

    void read_header() {
      auto self = shared_from_this();
      asio::async_read(socket, asio::buffer(header),
                       [self](boost::system::error_code ec, std::size_t) {
                         if (ec) return self->impl.closed(*self);
                         const auto size = read_le<std::uint32_t>(self->header);
                         if (size == 0 || size > kMaxFrame) return self->impl.closed(*self);
                         self->body.resize(size - 1);
                         asio::async_read(self->socket, asio::buffer(self->body),
                                          [self](boost::system::error_code ec2, std::size_t) {
                                            if (ec2 || !self->impl.on_frame(*self))
                                              return self->impl.closed(*self);
                                            self->read_header();
                                          });
                       });
    }

    void write_next() {
      auto self = shared_from_this();
      asio::async_write(socket, asio::buffer(outbox.front()),
                        [self](boost::system::error_code ec, std::size_t) {
                          self->outbox.pop_front();
                          if (!ec && !self->outbox.empty()) self->write_next();
                        });
    }
  };

  Impl(std::vector<std::string> type_names, std::string tok, const std::string& bind)
      : token(std::move(tok)), acceptor(io, tcp::endpoint(asio::ip::make_address(bind), 0)) {
    for (std::size_t i = 0; i + 1 < type_names.size(); ++i) {
      type_index.emplace(type_names[i], static_cast<std::uint32_t>(i));
    }
    catch_all = static_cast<std::uint32_t>(type_names.empty() ? 0 : type_names.size() - 1);
    accept();
    thread = std::thread([this] { io.run(); });
  }

  ~Impl() {
    io.stop();
    if (thread.joinable()) thread.join();
  }

  void accept() {
    acceptor.async_accept([this](boost::system::error_code ec, tcp::socket s) {
      if (ec) return;  // the acceptor closed: the server is going away
      s.set_option(tcp::no_delay(true));
      std::make_shared<Session>(*this, std::move(s))->read_header();
      accept();
    });
  }

  // Handles one frame on the I/O thread; false ends the connection.
  bool on_frame(Session& s) {
    const char kind = static_cast<char>(s.header[4]);
    const unsigned char* p = s.body.data();
    const std::size_t n = s.body.size();
    if (s.peer == 0) {  // the first frame must be a hello with the run's token
      if (kind != 'H') return false;
      const json hello = json::parse(p, p + n, nullptr, false);
      if (hello.is_discarded() || hello.value("token", "") != token) return false;
      std::lock_guard lock(mutex);
      ShimPeer peer;
      peer.id = static_cast<int>(peers.size()) + 1;
      peer.role = hello.value("role", "local");
      peer.pid = hello.value("pid", 0);
      const std::string worker = hello.value("worker", "");
      peer.generator = worker.empty() ? 0 : static_cast<std::uint32_t>(std::stoul(worker) + 1);
      boost::system::error_code ec;
      const auto remote = s.socket.remote_endpoint(ec);
      if (!ec) peer.address = remote.address().to_string();
      peers.push_back(peer);
      sessions.emplace(peer.id, s.shared_from_this());
      s.peer = peer.id;
      return true;
    }
    switch (kind) {
      case 'N': {  // a new Locust name: id + "METHOD name"
        if (n < 4) return false;
        const auto id = read_le<std::uint32_t>(p);
        std::string name(reinterpret_cast<const char*>(p + 4), n - 4);
        if (id != s.types.size()) return false;  // ids come in order
        const auto it = type_index.find(name);
        s.types.push_back(it == type_index.end() ? catch_all : it->second);
        std::lock_guard lock(mutex);
        name_ids[s.peer].push_back(name);
        return true;
      }
      case 'S':
        return on_samples(s, p, n);
      case 'T': {
        json status = json::parse(p, p + n, nullptr, false);
        if (status.is_discarded()) return false;
        std::lock_guard lock(mutex);
        peers[s.peer - 1].status = std::move(status);
        return true;
      }
      case 'B': {
        std::lock_guard lock(mutex);
        peers[s.peer - 1].said_bye = true;
        return true;
      }
      default:
        return false;
    }
  }

  bool on_samples(Session& s, const unsigned char* p, std::size_t n) {
    if (n < 4) return false;
    const auto count = read_le<std::uint32_t>(p);
    if (n != 4 + count * kSampleBytes) return false;
    const unsigned char* start = p + 4;
    const unsigned char* rt = start + 8 * count;
    const unsigned char* bytes = rt + 8 * count;
    const unsigned char* ids = bytes + 8 * count;
    const unsigned char* status = ids + 4 * count;
    const unsigned char* outcome = status + 4 * count;
    std::lock_guard lock(mutex);
    auto& counts = name_counts[s.peer];
    const std::uint32_t generator = peers[s.peer - 1].generator;
    for (std::uint32_t i = 0; i < count; ++i) {
      const auto id = read_le<std::uint32_t>(ids + 4 * i);
      if (id >= s.types.size()) return false;  // a sample before its name
      if (counts.size() <= id) counts.resize(id + 1, 0);
      ++counts[id];
      lp_sample x{};
      x.start_ns = std::llround(read_le<double>(start + 8 * i) * 1e9);
      x.intended_ns = x.start_ns;  // Locust has no schedule of its own per request
      x.service_ns = std::llround(read_le<double>(rt + 8 * i) * 1e6);
      x.latency_ns = x.service_ns;
      x.bytes_received = read_le<std::uint64_t>(bytes + 8 * i);
      x.request_type = s.types[id];
      x.outcome = std::min<lp_outcome>(outcome[i], LP_OUTCOME_OTHER_ERROR);
      x.status_code = read_le<std::int32_t>(status + 4 * i);
      x.generator = generator;
      pending.push_back(x);
    }
    received += count;
    peers[s.peer - 1].samples += count;
    return true;
  }

  void closed(Session& s) {
    boost::system::error_code ec;
    s.socket.close(ec);
    if (s.peer == 0) return;
    std::lock_guard lock(mutex);
    peers[s.peer - 1].closed = true;
    sessions.erase(s.peer);
  }

  std::string token;
  asio::io_context io;
  tcp::acceptor acceptor;
  std::thread thread;
  std::unordered_map<std::string, std::uint32_t> type_index;
  std::uint32_t catch_all = 0;

  mutable std::mutex mutex;  // guards what follows
  std::vector<ShimPeer> peers;
  std::map<int, std::shared_ptr<Session>> sessions;
  std::vector<lp_sample> pending;
  std::map<int, std::vector<std::string>> name_ids;
  std::map<int, std::vector<std::uint64_t>> name_counts;
  std::uint64_t received = 0;
};

ShimServer::ShimServer(std::vector<std::string> types, std::string token, const std::string& bind)
    : impl_(std::make_unique<Impl>(std::move(types), std::move(token), bind)) {}

ShimServer::~ShimServer() = default;

std::uint16_t ShimServer::port() const {
  return impl_->acceptor.local_endpoint().port();
}

bool ShimServer::send(int peer_id, const json& control) {
  std::shared_ptr<Impl::Session> s;
  {
    std::lock_guard lock(impl_->mutex);
    const auto it = impl_->sessions.find(peer_id);
    if (it == impl_->sessions.end()) return false;
    s = it->second;
  }
  asio::post(impl_->io, [s, data = frame('C', control.dump())]() mutable {
    s->outbox.push_back(std::move(data));
    if (s->outbox.size() == 1) s->write_next();
  });
  return true;
}

std::vector<ShimPeer> ShimServer::peers() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->peers;
}

void ShimServer::drain(std::vector<lp_sample>& out) {
  std::lock_guard lock(impl_->mutex);
  out.insert(out.end(), impl_->pending.begin(), impl_->pending.end());
  impl_->pending.clear();
}

std::map<std::string, std::uint64_t> ShimServer::name_counts() const {
  std::lock_guard lock(impl_->mutex);
  std::map<std::string, std::uint64_t> out;
  for (const auto& [peer, counts] : impl_->name_counts) {
    const auto& names = impl_->name_ids.at(peer);
    for (std::size_t i = 0; i < counts.size(); ++i) out[names[i]] += counts[i];
  }
  return out;
}

std::uint16_t free_local_port(const std::string& bind) {
  asio::io_context io;
  tcp::acceptor a(io, tcp::endpoint(asio::ip::make_address(bind), 0));
  return a.local_endpoint().port();
}

std::uint64_t ShimServer::samples_received() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->received;
}

}  // namespace lp::locust
