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
  c.get("EVP_MD_CTX_new", o.EVP_MD_CTX_new);
  c.get("EVP_MD_CTX_free", o.EVP_MD_CTX_free);
  c.get("EVP_sha256", o.EVP_sha256);
  c.get("EVP_DigestInit_ex", o.EVP_DigestInit_ex);
  c.get("EVP_DigestUpdate", o.EVP_DigestUpdate);
  c.get("EVP_DigestFinal_ex", o.EVP_DigestFinal_ex);
  c.get("EVP_DigestSignInit_ex", o.EVP_DigestSignInit_ex);
  c.get("EVP_DigestSign", o.EVP_DigestSign);
  c.get("EVP_DigestVerifyInit_ex", o.EVP_DigestVerifyInit_ex);
  c.get("EVP_DigestVerify", o.EVP_DigestVerify);
  c.get("EVP_PKEY_free", o.EVP_PKEY_free);
  c.get("EVP_PKEY_is_a", o.EVP_PKEY_is_a);
  c.get("EVP_PKEY_get0_type_name", o.EVP_PKEY_get0_type_name);
  c.get("EVP_PKEY_get_utf8_string_param", o.EVP_PKEY_get_utf8_string_param);
  c.get("d2i_AutoPrivateKey_ex", o.d2i_AutoPrivateKey_ex);
  c.get("d2i_PUBKEY_ex", o.d2i_PUBKEY_ex);
  c.get("PEM_write_bio_PUBKEY", o.PEM_write_bio_PUBKEY);
  c.get("PEM_read_X509", o.PEM_read_X509);
  c.get("X509_STORE_add_cert", o.X509_STORE_add_cert);
  c.get("X509_free", o.X509_free);
  c.get("BIO_new", o.BIO_new);
  c.get("BIO_s_mem", o.BIO_s_mem);
  c.get("BIO_ctrl", o.BIO_ctrl);
  c.get("BIO_free", o.BIO_free);
  c.get("ERR_clear_error", o.ERR_clear_error);
  s.get("SSL_CTX_get_cert_store", o.SSL_CTX_get_cert_store);
  return o;
}

}  // namespace

const OpensslLib& openssl() {
  // A failed load throws out of the initialiser, so the next call tries again.
  static const OpensslLib lib = load();
  return lib;
}

}  // namespace ecc
