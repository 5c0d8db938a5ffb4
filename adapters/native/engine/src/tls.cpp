#include "tls.hpp"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <stdexcept>

namespace lp::native {

std::unique_ptr<boost::asio::ssl::context> make_tls_context(bool verify,
                                                            const std::string& ca_file) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3);
  if (!verify) {
    ctx->set_verify_mode(ssl::verify_none);
    return ctx;
  }
  ctx->set_verify_mode(ssl::verify_peer);
  boost::system::error_code ec;
  if (ca_file.empty()) {
    ctx->set_default_verify_paths(ec);
  } else {
    ctx->load_verify_file(ca_file, ec);
  }
  if (ec) {
    throw std::runtime_error("TLS trust store " + (ca_file.empty() ? "(system)" : ca_file) + ": " +
                             ec.message());
  }
  return ctx;
}

bool prepare_tls_peer(SSL* ssl, const BaseUrl& url, bool verify) {
  if (!url.host_is_ip && SSL_set_tlsext_host_name(ssl, url.host.c_str()) != 1) return false;
  if (!verify) return true;
  if (url.host_is_ip) {
    return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url.host.c_str()) == 1;
  }
  return SSL_set1_host(ssl, url.host.c_str()) == 1;
}

void close_quietly(SSL* ssl) {
  SSL_set_shutdown(ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
}

TlsSessionCache::~TlsSessionCache() {
  if (session_) SSL_SESSION_free(session_);
}

void TlsSessionCache::offer(SSL* ssl) const {
  if (session_) SSL_set_session(ssl, session_);
}

void TlsSessionCache::remember(SSL* ssl) {
  SSL_SESSION* current = SSL_get0_session(ssl);
  if (!current || current == session_ || !SSL_SESSION_is_resumable(current)) return;
  SSL_SESSION_up_ref(current);
  if (session_) SSL_SESSION_free(session_);
  session_ = current;
}

}  // namespace lp::native
