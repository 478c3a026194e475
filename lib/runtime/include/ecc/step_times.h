// -v (docs/ecli.md): how long each start-up step of a run took, so that a
// slow start is measured, not guessed. One line per step on stderr,
// "<tool>: start-up: <step>: <ms> ms", the time since the step before.
#pragma once

#include <string>

namespace ecc::runtime {

// Turns the lines on (or off) and starts the clock of the first step.
void time_steps(bool on);
// The step that ends now: its line, when on; nothing otherwise.
void step_done(const std::string& step);

}  // namespace ecc::runtime
