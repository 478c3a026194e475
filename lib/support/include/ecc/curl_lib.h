// libcurl, loaded with dlopen at the first HTTP exchange (a registry, a URL,
// an OTLP push): a run of a local package, or one with --metrics only, never
// maps it and the two dozen libraries under it (TLS, HTTP/2, IDN, LDAP,
// Kerberos), which cost ecli's start-up ~20 ms (docs/performance.md).
#pragma once

#include <curl/curl.h>

namespace ecc {

// The libcurl functions the transport calls, each named once, without
// the curl_ prefix: member `easy_init` is curl_easy_init.
#define ECC_CURL_FUNCS(X) \
  X(global_init) \
  X(easy_init) \
  X(easy_setopt) \
  X(easy_perform) \
  X(easy_getinfo) \
  X(easy_strerror) \
  X(easy_cleanup) \
  X(slist_append) \
  X(slist_free_all) \
  X(url) \
  X(url_set) \
  X(url_get) \
  X(url_cleanup) \
  X(free) \
  X(multi_init) \
  X(multi_add_handle) \
  X(multi_perform) \
  X(multi_poll) \
  X(multi_info_read) \
  X(multi_remove_handle) \
  X(multi_wakeup) \
  X(multi_cleanup)

// Each function as declared in <curl/curl.h>.
struct CurlLib {
#define ECC_CURL_SLOT(name) decltype(&::curl_##name) name;
  ECC_CURL_FUNCS(ECC_CURL_SLOT)
#undef ECC_CURL_SLOT
};

// libcurl.so.4, loaded and initialised (curl_global_init) once. Throws
// Error(tool_failed) naming the library and dlerror's reason when it is
// missing or lacks a function.
const CurlLib& curl_lib();

}  // namespace ecc
