// TLS client setup: one context per engine, peer checks per connection.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "url.hpp"

typedef struct ssl_st SSL;
typedef struct ssl_session_st SSL_SESSION;

namespace lp::native {

// Throws std::runtime_error when the CA file cannot be loaded.
std::unique_ptr<boost::asio::ssl::context> make_tls_context(bool verify,
                                                            const std::string& ca_file);

// SNI, and the name (or IP) the certificate must carry when verifying.
// Returns false when OpenSSL refused a setting.
bool prepare_tls_peer(SSL* ssl, const BaseUrl& url, bool verify);

// Before closing without a close_notify: OpenSSL would otherwise mark the
// session not resumable, and every later reconnect would pay a full handshake.
void close_quietly(SSL* ssl);

// One I/O thread's last resumable session: reconnects (after a timeout or a
// Connection: close) resume it instead of paying a full handshake.
class TlsSessionCache {
 public:
  TlsSessionCache() = default;
  ~TlsSessionCache();
  TlsSessionCache(const TlsSessionCache&) = delete;
  TlsSessionCache& operator=(const TlsSessionCache&) = delete;

  // Before the handshake.
  void offer(SSL* ssl) const;
  // After a response: keeps the connection's session if it is new and resumable.
  void remember(SSL* ssl);

 private:
  SSL_SESSION* session_ = nullptr;
};

}  // namespace lp::native
