#include "plan.h"

#include <exception>
#include <future>
#include <iostream>

namespace ecc {

void Plan::run(bool verbose) const {
  for (const auto& stage : stages_) {
    if (verbose)
      for (const auto& s : stage) std::cerr << s.shown << "\n";
    if (stage.size() == 1) {
      stage[0].run();
      continue;
    }
    std::vector<std::future<void>> running;
    for (size_t i = 1; i < stage.size(); ++i) running.push_back(std::async(std::launch::async, stage[i].run));
    std::exception_ptr first;
    try {
      stage[0].run();
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
}

}  // namespace ecc
