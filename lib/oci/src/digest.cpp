// SHA-256 digests with OpenSSL's EVP interface (loaded at first use).

#include <memory>

#include "ecc/error.h"
#include "ecc/openssl_lib.h"
#include "ecc/oci.h"

namespace ecc::oci {

std::string sha256_digest(std::span<const uint8_t> bytes) {
  const OpensslLib& ssl = openssl();
  std::unique_ptr<EVP_MD_CTX, decltype(ssl.EVP_MD_CTX_free)> ctx(ssl.EVP_MD_CTX_new(), ssl.EVP_MD_CTX_free);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!ctx || ssl.EVP_DigestInit_ex(ctx.get(), ssl.EVP_sha256(), nullptr) != 1 ||
      ssl.EVP_DigestUpdate(ctx.get(), bytes.data(), bytes.size()) != 1 ||
      ssl.EVP_DigestFinal_ex(ctx.get(), md, &len) != 1)
    throw Error(Exit::tool_failed, "OpenSSL cannot compute SHA-256");
  static const char hex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned i = 0; i < len; i++) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

bool is_sha256_digest(const std::string& digest) {
  if (digest.size() != 7 + 64 || digest.rfind("sha256:", 0) != 0) return false;
  for (size_t i = 7; i < digest.size(); i++) {
    char c = digest[i];
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace ecc::oci
