// SIGINT/SIGTERM and the stop points of a session (runtime.h).
#include <signal.h>

#include <cstdio>

#include "ecc/runtime.h"
#include "ecc/tool_name.h"

namespace ecc::runtime {

namespace {

volatile sig_atomic_t g_signal = 0;  // the SIGINT or SIGTERM that asks us to stop
std::atomic<bool> g_stop{false};     // lock-free: set from the handler
StepHook g_step_hook = nullptr;

void on_signal(int sig) {
  g_signal = sig;
  g_stop.store(true, std::memory_order_relaxed);
}

}  // namespace

void catch_stop_signals() {
  g_signal = 0;
  g_stop = false;
  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int stop_signal() { return g_signal; }

const std::atomic<bool>* stop_flag() { return &g_stop; }

void throw_if_stopped(const std::string& when) {
  if (g_signal) throw Interrupted{g_signal, when};
}

void set_step_hook(StepHook hook) { g_step_hook = hook; }

void stop_point(const std::string& step) {
  if (g_step_hook) g_step_hook(step);
  throw_if_stopped("before " + step);
}

int report_interrupted(const Interrupted& i) {
  std::fprintf(stderr, "%s: interrupted by %s %s; nothing is left attached or loaded\n", tool_name().c_str(),
               i.sig == SIGTERM ? "SIGTERM" : "SIGINT", i.when.c_str());
  return 128 + i.sig;
}

}  // namespace ecc::runtime
