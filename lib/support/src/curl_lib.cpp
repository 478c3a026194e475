#include "ecc/curl_lib.h"

#include "ecc/dynamic_lib.h"

namespace ecc {

namespace {

CurlLib load() {
  // 7.62 brought the URL API (curl_url_*), 7.68 curl_multi_poll and
  // curl_multi_wakeup.
  DynamicLib lib("libcurl.so.4", "registries, URLs and OTLP push", "install libcurl4, 7.68 or later");
  CurlLib c{};
#define ECC_CURL_GET(name) lib.get("curl_" #name, c.name);
  ECC_CURL_FUNCS(ECC_CURL_GET)
#undef ECC_CURL_GET
  c.global_init(CURL_GLOBAL_DEFAULT);
  return c;
}

}  // namespace

const CurlLib& curl_lib() {
  // A failed load throws out of the initialiser, so the next call tries again.
  static const CurlLib lib = load();
  return lib;
}

}  // namespace ecc
