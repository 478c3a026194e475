#include "ecc/dynamic_lib.h"

#include <dlfcn.h>

#include "ecc/error.h"

namespace ecc {

DynamicLib::DynamicLib(const char* soname, const std::string& needs, const std::string& hint)
    : soname_(soname), handle_(dlopen(soname, RTLD_NOW | RTLD_LOCAL)) {
  if (!handle_)
    throw Error(Exit::tool_failed,
                needs + " need " + soname_ + ", which cannot be loaded: " + dlerror() + " (" + hint + ")");
}

void* DynamicLib::symbol(const char* name) const {
  void* p = dlsym(handle_, name);
  if (!p) throw Error(Exit::tool_failed, soname_ + " has no " + name);
  return p;
}

}  // namespace ecc
