#include "ecc/step_times.h"

#include <chrono>
#include <cstdio>

#include "ecc/tool_name.h"

namespace ecc::runtime {

namespace {

using clock = std::chrono::steady_clock;
bool g_on = false;
clock::time_point g_last;

}  // namespace

void time_steps(bool on) {
  g_on = on;
  g_last = clock::now();
}

void step_done(const std::string& step) {
  if (!g_on) return;
  clock::time_point now = clock::now();
  double ms = std::chrono::duration<double, std::milli>(now - g_last).count();
  std::fprintf(stderr, "%s: start-up: %s: %.2f ms\n", tool_name().c_str(), step.c_str(), ms);
  g_last = clock::now();  // the line itself is not the next step's
}

}  // namespace ecc::runtime
