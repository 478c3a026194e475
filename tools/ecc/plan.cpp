#include "plan.h"

#include <chrono>
#include <cstdio>
#include <exception>
#include <future>
#include <iostream>

namespace ecc {

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string ms_text(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", ms);
  return buf;
}

// Runs one step and records how long it took.
void timed(const Step& s, double& ms) {
  Clock::time_point start = Clock::now();
  try {
    s.run();
  } catch (...) {
    ms = ms_since(start);
    throw;
  }
  ms = ms_since(start);
}

// Runs the steps of one pass, the first on this thread and the others on
// their own; rethrows the first one's error, else the next one's.
void run_together(const std::vector<Step>& steps, std::vector<double>& ms) {
  std::vector<std::future<void>> running;
  for (size_t i = 1; i < steps.size(); ++i)
    running.push_back(std::async(std::launch::async, [&steps, &ms, i] { timed(steps[i], ms[i]); }));
  std::exception_ptr first;
  try {
    timed(steps[0], ms[0]);
  } catch (...) {
    first = std::current_exception();
  }
  for (auto& f : running) {
    try {
      f.get();
    } catch (...) {
      if (!first) first = std::current_exception();
    }
  }
  if (first) std::rethrow_exception(first);
}

}  // namespace

void Plan::run(bool verbose) const {
  for (const auto& pass : passes_) {
    std::vector<Step> steps = pass.make();
    if (steps.empty()) continue;
    if (verbose)
      for (const auto& s : steps) std::cerr << s.shown << "\n";
    std::vector<double> ms(steps.size());
    Clock::time_point start = Clock::now();
    run_together(steps, ms);
    if (!verbose) continue;
    std::string line = "# " + pass.name + ": " + ms_text(ms_since(start));
    if (steps.size() > 1) {
      line += " (steps:";
      for (double m : ms) line += " " + ms_text(m);
      line += ")";
    }
    std::cerr << line << "\n";
  }
}

}  // namespace ecc
