// --metrics and --otlp for a run (docs/metrics.md): the exporter started
// before anything is loaded and set as the runtime's hooks while it lives.
#pragma once

#include <memory>
#include <string>

#include "ecc/metrics.h"
#include "options.h"

namespace ecc::ecli {

class MetricsRun {
 public:
  // Nothing when neither --metrics nor --otlp is given; otherwise the
  // exporter of libecc-metrics.so (load_exporter). `program` labels
  // every series, `package` is ecli_info's. Throws Error for a bad ADDR or
  // a busy port.
  MetricsRun(Options& o, const std::string& program, const std::string& package);
  ~MetricsRun();
  MetricsRun(const MetricsRun&) = delete;
  MetricsRun& operator=(const MetricsRun&) = delete;

 private:
  std::unique_ptr<metrics::Exporter> exporter_;
};

// The program's name for the `program` label: the file's or the
// reference's last path part, without a tag, digest or extension.
std::string program_label(const std::string& file);

}  // namespace ecc::ecli
