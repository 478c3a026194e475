// The process's metrics exporter, as the runtime sees it (runtime.h).
#include "ecc/runtime.h"

namespace ecc::runtime {

namespace {
std::atomic<MetricsHooks*> g_hooks{nullptr};
}

void set_metrics_hooks(MetricsHooks* hooks) { g_hooks.store(hooks); }
MetricsHooks* metrics_hooks() { return g_hooks.load(); }

}  // namespace ecc::runtime
