// --metrics ADDR (docs/metrics.md): parsed, and checked that it can be
// listened on before anything is loaded.
#pragma once

#include <string>

namespace ecc::metrics {

struct ListenAddress {
  std::string host;  // "" for every interface, "::1" for [::1]
  int port = 0;
  std::string civetweb;  // the listening_ports spelling of civetweb
};

// Throws Error(usage) naming ADDR for a malformed one.
ListenAddress parse_listen(const std::string& addr);
// Throws Error(tool_failed) when nothing can listen there (busy port,
// an address not of this host).
void check_can_listen(const ListenAddress& a, const std::string& addr);
// One connection to `port` where `a` listens (loopback for every
// interface), closed at once; false when it could not be made.
bool knock(const ListenAddress& a, int port);

}  // namespace ecc::metrics
