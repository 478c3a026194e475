// The test build of ecli (ecli-testhooks, built from ecli's own sources plus
// this file, never installed): a step hook at the stop points of the package
// loader. With ECLI_TEST_PAUSE_MS=N set, it says "ecli: test: before <step>"
// at each stop point and sleeps N ms there (a signal ends the sleep), so that
// a test can signal it between two attaches; ECLI_TEST_PAUSE_BEFORE=<step>
// pauses before that step alone (the marks are still said everywhere).
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ecc/runtime.h"
#include "ecc/tool_name.h"

namespace {

struct TestPause {
  long ms = -1;  // -1: unset
  std::string only;
};

const TestPause& test_pause() {
  static const TestPause p = [] {
    TestPause t;
    if (const char* v = std::getenv("ECLI_TEST_PAUSE_MS")) t.ms = std::max(std::strtol(v, nullptr, 10), 0L);
    if (const char* v = std::getenv("ECLI_TEST_PAUSE_BEFORE")) t.only = v;
    return t;
  }();
  return p;
}

void before_step(const std::string& step) {
  const TestPause& p = test_pause();
  if (p.ms < 0 || ecc::runtime::stop_signal()) return;
  std::fprintf(stderr, "%s: test: before %s\n", ecc::tool_name().c_str(), step.c_str());
  std::fflush(stderr);
  timespec ts{p.ms / 1000, (p.ms % 1000) * 1000000};
  if (p.only.empty() || p.only == step) nanosleep(&ts, nullptr);
}

[[maybe_unused]] const bool registered = (ecc::runtime::set_step_hook(before_step), true);

}  // namespace
