// OpenSSL's libcrypto (and libssl for the one TLS callback), loaded with
// dlopen at first use: digests, cosign keys and registry TLS need it; a run
// of a local package does not, and mapping libcrypto costs ecli's start-up
// ~5 ms (docs/performance.md). Calls read `openssl().EVP_...(...)`; a
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

// The OpenSSL 3 functions ecc and ecli call, as declared by its headers.
struct OpensslLib {
  decltype(&::EVP_MD_CTX_new) EVP_MD_CTX_new;
  decltype(&::EVP_MD_CTX_free) EVP_MD_CTX_free;
  decltype(&::EVP_sha256) EVP_sha256;
  decltype(&::EVP_DigestInit_ex) EVP_DigestInit_ex;
  decltype(&::EVP_DigestUpdate) EVP_DigestUpdate;
  decltype(&::EVP_DigestFinal_ex) EVP_DigestFinal_ex;
  decltype(&::EVP_DigestSignInit_ex) EVP_DigestSignInit_ex;
  decltype(&::EVP_DigestSign) EVP_DigestSign;
  decltype(&::EVP_DigestVerifyInit_ex) EVP_DigestVerifyInit_ex;
  decltype(&::EVP_DigestVerify) EVP_DigestVerify;
  decltype(&::EVP_PKEY_free) EVP_PKEY_free;
  decltype(&::EVP_PKEY_is_a) EVP_PKEY_is_a;
  decltype(&::EVP_PKEY_get0_type_name) EVP_PKEY_get0_type_name;
  decltype(&::EVP_PKEY_get_utf8_string_param) EVP_PKEY_get_utf8_string_param;
  decltype(&::d2i_AutoPrivateKey_ex) d2i_AutoPrivateKey_ex;
  decltype(&::d2i_PUBKEY_ex) d2i_PUBKEY_ex;
  decltype(&::PEM_write_bio_PUBKEY) PEM_write_bio_PUBKEY;
  decltype(&::PEM_read_X509) PEM_read_X509;
  decltype(&::X509_STORE_add_cert) X509_STORE_add_cert;
  decltype(&::X509_free) X509_free;
  decltype(&::BIO_new) BIO_new;
  decltype(&::BIO_s_mem) BIO_s_mem;
  decltype(&::BIO_ctrl) BIO_ctrl;
  decltype(&::BIO_free) BIO_free;
  decltype(&::ERR_clear_error) ERR_clear_error;
  // libssl's; its callback runs inside libcurl, which has loaded libssl.
  decltype(&::SSL_CTX_get_cert_store) SSL_CTX_get_cert_store;
};

// libcrypto.so.3 and libssl.so.3, loaded once. Throws Error(tool_failed),
// one line naming the library and dlerror's reason, when one is missing or
// lacks a function.
const OpensslLib& openssl();

}  // namespace ecc
