#include "ecc/openssl_lib.h"

#include <string>

#include "ecc/dynamic_lib.h"

namespace ecc {

namespace {

OpensslLib load() {
  const std::string needs = "digests, signatures and TLS";
  DynamicLib c("libcrypto.so.3", needs, "install libssl3");
  DynamicLib s("libssl.so.3", needs, "install libssl3");
  OpensslLib o{};
#define ECC_OPENSSL_GET_CRYPTO(name) c.get(#name, o.name);
#define ECC_OPENSSL_GET_SSL(name) s.get(#name, o.name);
  ECC_LIBCRYPTO_FUNCS(ECC_OPENSSL_GET_CRYPTO)
  ECC_LIBSSL_FUNCS(ECC_OPENSSL_GET_SSL)
#undef ECC_OPENSSL_GET_CRYPTO
#undef ECC_OPENSSL_GET_SSL
  return o;
}

}  // namespace

const OpensslLib& openssl() {
  // A failed load throws out of the initialiser, so the next call tries again.
  static const OpensslLib lib = load();
  return lib;
}

}  // namespace ecc
