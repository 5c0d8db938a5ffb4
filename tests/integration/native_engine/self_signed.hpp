// A throwaway self-signed certificate for 127.0.0.1 and localhost, made with
// the OpenSSL API so the tests need no openssl CLI.
#pragma once

#include <string>

namespace lp::native::testing {

struct SelfSigned {
  std::string cert_pem;
  std::string key_pem;
};

SelfSigned make_self_signed();

// A temporary directory removed with the object.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

}  // namespace lp::native::testing
