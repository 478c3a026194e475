// What the kernel holds now, as bpftool, tc and ip report it: for the fault
// tests that check that ecli left nothing behind.
#pragma once

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "ecli_fixture.h"

namespace ecc::test {

// Names of the BPF programs loaded in the kernel now (bpftool's JSON).
inline std::vector<std::string> loaded_program_names() {
  RunResult r = run({"bpftool", "-j", "prog", "show"});
  std::vector<std::string> names;
  if (r.exit_code != 0) return names;
  for (const auto& p : nlohmann::json::parse(r.out)) names.push_back(p.value("name", ""));
  return names;
}

inline size_t count_of(const std::vector<std::string>& names, const std::string& name) {
  return static_cast<size_t>(std::count(names.begin(), names.end(), name));
}

// Waits (up to 5 s) until no more programs called `name` are loaded than
// `baseline` counted: the kernel frees a program shortly after its last
// reference is gone.
inline bool programs_back_to(const std::string& name, size_t baseline) {
  for (int i = 0; i < 50; i++) {
    if (count_of(loaded_program_names(), name) <= baseline) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// The ids of the loaded programs called `name`, and of the programs that
// BPF links hold.
inline std::vector<int> program_ids(const std::string& name) {
  RunResult r = run({"bpftool", "-j", "prog", "show"});
  std::vector<int> ids;
  if (r.exit_code != 0) return ids;
  for (const auto& p : nlohmann::json::parse(r.out))
    if (p.value("name", "") == name) ids.push_back(p.value("id", 0));
  return ids;
}

inline std::vector<int> linked_program_ids() {
  RunResult r = run({"bpftool", "-j", "link", "show"});
  std::vector<int> ids;
  if (r.exit_code != 0) return ids;
  for (const auto& l : nlohmann::json::parse(r.out)) ids.push_back(l.value("prog_id", 0));
  return ids;
}

// Everything of a program called `name` on lo: tc filters (both
// directions), bpftool's view of the device, an XDP program. Empty when
// nothing is there.
inline std::string traces_on_lo(const std::string& name) {
  std::string found;
  for (const char* dir : {"ingress", "egress"}) {
    RunResult tc = run({"tc", "filter", "show", "dev", "lo", dir});
    if (tc.out.find(name) != std::string::npos) found += "tc filter show dev lo " + std::string(dir) + ":\n" + tc.out;
  }
  RunResult net = run({"bpftool", "net", "show", "dev", "lo"});
  if (net.out.find(name) != std::string::npos) found += "bpftool net show dev lo:\n" + net.out;
  RunResult link = run({"ip", "link", "show", "dev", "lo"});
  if (link.out.find("xdp") != std::string::npos) found += "ip link show dev lo:\n" + link.out;
  return found;
}

// Reads the child's output until its stderr holds `needle` (true) or it
// exits or the deadline passes (false).
inline bool wait_stderr(EcliProcess& p, const std::string& needle, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (p.err().find(needle) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // Reads both pipes for up to 50 ms (its needle never comes); once the
    // child has closed them it returns at once.
    if (!p.wait_output(std::string(1, '\x01'), std::chrono::milliseconds(50)))
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// Tests with udpwatch: an XDP program and a tc classifier (egress, handle
// and priority annotated) on lo.
class UdpwatchTest : public EcliTest {
 protected:
  fs::path build_udpwatch() {
    fs::path dir = source_dir() / "tests/ecli/programs";
    return build_package(dir / "udpwatch.bpf.c", dir / "udpwatch.h");
  }
};

}  // namespace ecc::test
