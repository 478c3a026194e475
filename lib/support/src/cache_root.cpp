#include "ecc/cache_root.h"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace ecc {

namespace {

// The home directory of the user running us, from $HOME or the passwd entry;
// empty when neither names one.
std::string home_dir() {
  if (const char* home = std::getenv("HOME"); home && *home) return home;
  // getpwuid_r: another thread may be looking up a user meanwhile.
  passwd entry{};
  passwd* found = nullptr;
  std::vector<char> buf(16384);
  if (getpwuid_r(getuid(), &entry, buf.data(), buf.size(), &found) == 0 && found && found->pw_dir && *found->pw_dir)
    return found->pw_dir;
  return {};
}

}  // namespace

std::filesystem::path cache_root() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return std::filesystem::path(xdg) / "ecc";
  std::string home = home_dir();
  if (!home.empty()) return std::filesystem::path(home) / ".cache" / "ecc";
  return "/tmp/ecc-cache-" + std::to_string(getuid());
}

}  // namespace ecc
