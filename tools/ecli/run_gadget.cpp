#include "run_gadget.h"

#include <deque>
#include <iostream>
#include <map>
#include <memory>

#include "ecc/error.h"
#include "ecc/gadget_wasm.h"

namespace ecc::ecli {
namespace {

// A gadget's Wasm layer beside the run (docs/gadget.md): its lifecycle
// functions at the loader's points, where it says programs attach.
class WasmLayer final : public loader::RunHooks {
 public:
  WasmLayer(const gadget::Parts& parts, const loader::Package& pkg, GadgetWasmEnv env) : pkg_(pkg) {
    env.set_attach_to = [this](const std::string& program, const std::string& target) { targets_[program] = target; };
    wasm_ = std::make_unique<GadgetWasm>(parts.wasm.data(), parts.wasm.size(), parts.where, std::move(env));
  }
  void before_load() override { wasm_->call("gadgetInit"); }
  void before_attach() override {
    wasm_->call("gadgetPreStart");
    for (const auto& [program, target] : targets_) {
      bool known = false;
      for (const auto& p : pkg_.object.progs) known |= p.name == program;
      if (!known)
        throw Error(Exit::bad_input, "the Wasm layer sets programs." + program + ".attach_to, but the object has no program '" +
                                         program + "'", pkg_.path);
    }
  }
  void attached() override { wasm_->call("gadgetStart"); }
  void stopping() override {
    wasm_->call("gadgetStop");
    wasm_->call("gadgetPostStop");
  }
  std::string attach_target(const std::string& name) override {
    auto it = targets_.find(name);
    return it == targets_.end() ? std::string() : it->second;
  }

 private:
  const loader::Package& pkg_;
  std::map<std::string, std::string> targets_;
  std::unique_ptr<GadgetWasm> wasm_;
};

// params.wasm as options (`--KEY VALUE`), their texts into `values`.
std::vector<cmdline::Option> wasm_param_options(const gadget::Metadata& meta, std::map<std::string, std::string>& values) {
  std::vector<cmdline::Option> out;
  for (const auto& [name, p] : meta.wasm_params) {
    std::string key = p.key.empty() ? name : p.key;
    if (!p.default_value.empty()) values[key] = p.default_value;
    cmdline::Option o;
    o.long_name = key;
    o.value_name = "VALUE";
    o.help = p.description + " [wasm]" + (p.default_value.empty() ? "" : " (default: " + p.default_value + ")");
    o.apply = [&values, key](const std::string& text) { values[key] = text; };
    out.push_back(std::move(o));
  }
  return out;
}

}  // namespace

int run_gadget(const gadget::Parts& parts, const std::vector<std::string>& program_args,
               const loader::RunOptions& run, std::optional<uint64_t> mntns) {
  loader::Package pkg = gadget::read_gadget(parts);
  auto opts = loader::program_options(pkg);
  GadgetWasmEnv env;
  env.verbose = run.verbose;
  auto wasm_opts = wasm_param_options(gadget::parse_metadata(parts.metadata, parts.where), env.params);
  bool help = false;
  auto settings = loader::parse_program_args(opts, program_args, help, wasm_opts);
  if (help) {
    std::cout << loader::program_usage(pkg, opts, wasm_opts);
    return 0;
  }
  for (const loader::ProgSetting& s : settings) env.params[s.option->long_name] = s.text;
  loader::RunOptions ro = run;
  std::deque<loader::ProgOption> extra;
  if (mntns) gadget::add_mntns_filter(pkg, *mntns, settings, ro, extra);
  std::optional<WasmLayer> layer;
  if (!parts.wasm.empty()) {
    layer.emplace(parts, pkg, std::move(env));
    ro.hooks = &*layer;
  }
  return loader::run_package(pkg, settings, ro);
}

}  // namespace ecc::ecli
