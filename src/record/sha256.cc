#include "record/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace callledger {
namespace {
EVP_MD_CTX* Ctx(void* p) { return static_cast<EVP_MD_CTX*>(p); }
}  // namespace

Sha256Hasher::Sha256Hasher() : ctx_(EVP_MD_CTX_new()) {
  // Allocation failure of a 200-byte context leaves nothing sensible to do.
  if (ctx_ == nullptr || EVP_DigestInit_ex(Ctx(ctx_), EVP_sha256(), nullptr) != 1) std::abort();
}

Sha256Hasher::~Sha256Hasher() { EVP_MD_CTX_free(Ctx(ctx_)); }

void Sha256Hasher::Update(std::string_view bytes) {
  EVP_DigestUpdate(Ctx(ctx_), bytes.data(), bytes.size());
}

Sha256Digest Sha256Hasher::Finish() {
  Sha256Digest out{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(Ctx(ctx_), out.data(), &len);
  EVP_DigestInit_ex(Ctx(ctx_), EVP_sha256(), nullptr);
  return out;
}

Sha256Digest Sha256(std::string_view bytes) {
  thread_local Sha256Hasher hasher;
  hasher.Update(bytes);
  return hasher.Finish();
}

}  // namespace callledger
