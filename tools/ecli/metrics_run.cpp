#include "metrics_run.h"

#include "ecc/runtime.h"
#include "metrics_module.h"

namespace ecc::ecli {

MetricsRun::MetricsRun(Options& o, const std::string& program, const std::string& package) {
  if (o.metrics.listen.empty() && o.metrics.otlp.empty()) return;
  metrics::Options m = o.metrics;
  m.program = program;
  m.package = package;
  exporter_ = load_exporter(m);
  runtime::set_metrics_hooks(exporter_.get());
  o.run.metrics = exporter_.get();
}

MetricsRun::~MetricsRun() {
  if (exporter_) runtime::set_metrics_hooks(nullptr);
}

std::string program_label(const std::string& file) {
  std::string s = file;
  while (!s.empty() && s.back() == '/') s.pop_back();
  if (size_t at = s.find('@'); at != std::string::npos) s.erase(at);
  s = s.substr(s.find_last_of('/') == std::string::npos ? 0 : s.find_last_of('/') + 1);
  if (size_t colon = s.find(':'); colon != std::string::npos) s.erase(colon);
  for (const char* ext : {".json", ".wasm", ".tar", ".gadget"})
    if (s.size() > std::string(ext).size() && s.ends_with(ext)) s.erase(s.size() - std::string(ext).size());
  if (s == "package" || s == "app") return file.find('/') == std::string::npos ? s : program_label(file.substr(0, file.find_last_of('/')));
  return s.empty() ? "ecli" : s;
}

}  // namespace ecc::ecli
