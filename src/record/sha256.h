// SHA-256 through OpenSSL's EVP interface. Sha256Hasher is a streaming
// hasher; one per thread.
#pragma once

#include <string_view>

#include "core/record.h"

namespace callledger {

class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  void Update(std::string_view bytes);
  // Returns the digest and resets the hasher for the next message.
  Sha256Digest Finish();

 private:
  void* ctx_;  // EVP_MD_CTX*, kept opaque so OpenSSL headers stay here.
};

Sha256Digest Sha256(std::string_view bytes);

}  // namespace callledger
