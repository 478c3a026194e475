// A plan is built first and run second (as clang's Driver does): the steps
// of a run, in stages. Steps of one stage run concurrently; stages run in
// order. With -v each step is printed before it runs, as a command that can
// be pasted into a shell, or as a `#` comment for work done in-process.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace ecc {

struct Step {
  std::string shown;            // shell line, or "# what" for in-process work
  std::function<void()> run;
};

class Plan {
 public:
  // Adds a stage of steps that may run at the same time.
  void stage(std::vector<Step> steps) { stages_.push_back(std::move(steps)); }
  void step(Step s) { stages_.push_back({std::move(s)}); }

  // Runs every stage. When steps of one stage fail, the error of the first
  // one (in the order given) is rethrown: the compile's error wins over the
  // scan's, so the user sees clang's diagnostics, not a consequence of them.
  void run(bool verbose) const;

 private:
  std::vector<std::vector<Step>> stages_;
};

}  // namespace ecc
