#include "plan.h"

#include <exception>
#include <future>
#include <iostream>

namespace ecc {

namespace {

// Runs the steps of one pass, the first on this thread and the others on
// their own; rethrows the first one's error, else the next one's.
void run_together(const std::vector<Step>& steps) {
  std::vector<std::future<void>> running;
  for (size_t i = 1; i < steps.size(); ++i) running.push_back(std::async(std::launch::async, steps[i].run));
  std::exception_ptr first;
  try {
    steps[0].run();
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
  for (const auto& make : passes_) {
    std::vector<Step> steps = make();
    if (verbose)
      for (const auto& s : steps) std::cerr << s.shown << "\n";
    if (steps.size() == 1) steps[0].run();
    else if (!steps.empty()) run_together(steps);
  }
}

}  // namespace ecc
