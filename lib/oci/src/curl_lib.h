// libcurl, loaded with dlopen at the first HTTP exchange: a run of a local
// package never maps it and the two dozen libraries under it (TLS, HTTP/2,
// IDN, LDAP, Kerberos), which cost ecli's start-up ~20 ms
// (docs/performance.md).
#pragma once

#include <curl/curl.h>

namespace ecc::oci {

// The libcurl functions the transport calls, as in <curl/curl.h>.
struct CurlLib {
  decltype(&::curl_global_init) global_init;
  decltype(&::curl_easy_init) easy_init;
  decltype(&::curl_easy_setopt) easy_setopt;
  decltype(&::curl_easy_perform) easy_perform;
  decltype(&::curl_easy_getinfo) easy_getinfo;
  decltype(&::curl_easy_strerror) easy_strerror;
  decltype(&::curl_easy_cleanup) easy_cleanup;
  decltype(&::curl_slist_append) slist_append;
  decltype(&::curl_slist_free_all) slist_free_all;
  decltype(&::curl_url) url;
  decltype(&::curl_url_set) url_set;
  decltype(&::curl_url_get) url_get;
  decltype(&::curl_url_cleanup) url_cleanup;
  decltype(&::curl_free) free;
};

// libcurl.so.4, loaded and initialised (curl_global_init) once. Throws
// Error(tool_failed) naming the library and dlerror's reason when it is
// missing or lacks a function.
const CurlLib& curl_lib();

}  // namespace ecc::oci
