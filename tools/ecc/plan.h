// A plan is built first and run second (as clang's Driver does): the named
// passes of a run, in order. A pass makes its steps when it is reached, so
// they can use what earlier passes found (the clang version, the PCH paths),
// and makes none when it has nothing to do. The steps of one pass run
// concurrently. With -v each step is printed before it runs, as a command
// that can be pasted into a shell, or as a `#` comment for work done
// in-process, and after each pass the time it took (and each step's, when
// its steps ran concurrently), so that -v shows where a run spends its time.
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
  // Adds a pass; `make` gives its steps (maybe none) when the pass is reached.
  void pass(std::string name, std::function<std::vector<Step>()> make) {
    passes_.push_back({std::move(name), std::move(make)});
  }

  // Runs every pass. When steps of one pass fail, the error of the first
  // one (in the order given) is rethrown: the compile's error wins over the
  // scan's, so the user sees clang's diagnostics, not a consequence of them.
  void run(bool verbose) const;

 private:
  struct Pass {
    std::string name;
    std::function<std::vector<Step>()> make;
  };
  std::vector<Pass> passes_;
};

}  // namespace ecc
