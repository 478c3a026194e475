// OpenSSL's libcrypto (and libssl for the one TLS callback), loaded with
// dlopen at first use: cosign keys and registry TLS need it; content digests
// are ecc::oci::sha256_digest's own. A run of a local package or of a cached
// REF@sha256 does not, and mapping libcrypto and libssl costs ecli's start-up
// ~10 ms (docs/performance.md). Calls read `openssl().EVP_...(...)`; a
// function-like macro of OpenSSL's (BIO_get_mem_data) expands to a member
// call the same way.
#pragma once

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

namespace ecc {

// The OpenSSL 3 functions ecc and ecli call, each named once: libcrypto's,
// then libssl's (its callback runs inside libcurl, which has loaded libssl).
#define ECC_LIBCRYPTO_FUNCS(X) \
  X(EVP_MD_CTX_new) \
  X(EVP_MD_CTX_free) \
  X(EVP_DigestSignInit_ex) \
  X(EVP_DigestSign) \
  X(EVP_DigestVerifyInit_ex) \
  X(EVP_DigestVerify) \
  X(EVP_PKEY_free) \
  X(EVP_PKEY_is_a) \
  X(EVP_PKEY_get0_type_name) \
  X(EVP_PKEY_get_utf8_string_param) \
  X(d2i_AutoPrivateKey_ex) \
  X(d2i_PUBKEY_ex) \
  X(PEM_write_bio_PUBKEY) \
  X(PEM_read_X509) \
  X(X509_STORE_add_cert) \
  X(X509_free) \
  X(BIO_new) \
  X(BIO_s_mem) \
  X(BIO_ctrl) \
  X(BIO_free) \
  X(ERR_clear_error)
#define ECC_LIBSSL_FUNCS(X) X(SSL_CTX_get_cert_store)

// Each function as declared by OpenSSL's headers.
struct OpensslLib {
#define ECC_OPENSSL_SLOT(name) decltype(&::name) name;
  ECC_LIBCRYPTO_FUNCS(ECC_OPENSSL_SLOT)
  ECC_LIBSSL_FUNCS(ECC_OPENSSL_SLOT)
#undef ECC_OPENSSL_SLOT
};

// libcrypto.so.3 and libssl.so.3, loaded once. Throws Error(tool_failed),
// one line naming the library and dlerror's reason, when one is missing or
// lacks a function.
const OpensslLib& openssl();

}  // namespace ecc
