// A shared library loaded with dlopen when first needed (libcurl, OpenSSL,
// libsodium: what a run of a local package does not use, so that ecli does
// not map it at start-up), never closed, and its functions by name.
#pragma once

#include <string>

namespace ecc {

class DynamicLib {
 public:
  // Throws Error(tool_failed), one line: "<needs> need <soname>, which cannot
  // be loaded: <dlerror> (<hint>)".
  DynamicLib(const char* soname, const std::string& needs, const std::string& hint);
  // `slot` = the function `name`, as the slot's type (its declaration in the
  // library's header). Throws Error(tool_failed) "<soname> has no <name>".
  template <typename Fn>
  void get(const char* name, Fn& slot) const {
    slot = reinterpret_cast<Fn>(symbol(name));
  }

 private:
  void* symbol(const char* name) const;
  std::string soname_;
  void* handle_;
};

}  // namespace ecc
