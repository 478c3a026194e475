#include "curl_lib.h"

#include <dlfcn.h>

#include <string>

#include "ecc/error.h"

namespace ecc::oci {

namespace {

constexpr const char* kSoname = "libcurl.so.4";

// dlsym's answer for `name`, as the type of `slot`.
template <typename Fn>
void resolve(void* handle, const char* name, Fn& slot) {
  slot = reinterpret_cast<Fn>(dlsym(handle, name));
  if (!slot)
    throw Error(Exit::tool_failed, std::string(kSoname) + " has no " + name + " (libcurl 7.62 or later is needed)");
}

CurlLib load() {
  // Never closed: transfers may run until the process exits.
  void* h = dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
  if (!h)
    throw Error(Exit::tool_failed, std::string("registries and URLs need libcurl, which cannot be loaded: ") + dlerror() +
                                       " (install libcurl4)");
  CurlLib c{};
  resolve(h, "curl_global_init", c.global_init);
  resolve(h, "curl_easy_init", c.easy_init);
  resolve(h, "curl_easy_setopt", c.easy_setopt);
  resolve(h, "curl_easy_perform", c.easy_perform);
  resolve(h, "curl_easy_getinfo", c.easy_getinfo);
  resolve(h, "curl_easy_strerror", c.easy_strerror);
  resolve(h, "curl_easy_cleanup", c.easy_cleanup);
  resolve(h, "curl_slist_append", c.slist_append);
  resolve(h, "curl_slist_free_all", c.slist_free_all);
  resolve(h, "curl_url", c.url);
  resolve(h, "curl_url_set", c.url_set);
  resolve(h, "curl_url_get", c.url_get);
  resolve(h, "curl_url_cleanup", c.url_cleanup);
  resolve(h, "curl_free", c.free);
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
