#include "curl_lib.h"

#include "ecc/dynamic_lib.h"

namespace ecc::oci {

namespace {

CurlLib load() {
  // 7.62 brought the URL API (curl_url_*).
  DynamicLib lib("libcurl.so.4", "registries and URLs", "install libcurl4, 7.62 or later");
  CurlLib c{};
  lib.get("curl_global_init", c.global_init);
  lib.get("curl_easy_init", c.easy_init);
  lib.get("curl_easy_setopt", c.easy_setopt);
  lib.get("curl_easy_perform", c.easy_perform);
  lib.get("curl_easy_getinfo", c.easy_getinfo);
  lib.get("curl_easy_strerror", c.easy_strerror);
  lib.get("curl_easy_cleanup", c.easy_cleanup);
  lib.get("curl_slist_append", c.slist_append);
  lib.get("curl_slist_free_all", c.slist_free_all);
  lib.get("curl_url", c.url);
  lib.get("curl_url_set", c.url_set);
  lib.get("curl_url_get", c.url_get);
  lib.get("curl_url_cleanup", c.url_cleanup);
  lib.get("curl_free", c.free);
  c.global_init(CURL_GLOBAL_DEFAULT);
  return c;
}

}  // namespace

const CurlLib& curl_lib() {
  // A failed load throws out of the initialiser, so the next call tries again.
  static const CurlLib lib = load();
  return lib;
}

}  // namespace ecc::oci
