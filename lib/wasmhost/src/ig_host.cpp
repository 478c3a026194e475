#include "ig_host.h"

#include <cstring>
#include <fstream>
#include <sstream>

#include "ecc/tool_name.h"

namespace ecc::wasmhost {
namespace {

constexpr uint32_t kKindString = 12;  // IG's api.Kind_String
const char* const kLevels[] = {"error", "warning", "info", "debug", "trace"};

uint64_t u64(const wi::Values& p, size_t i) { return p[i].Get<uint64_t>(); }

}  // namespace

std::optional<std::string> IgHost::text(uint64_t buf) {
  uint32_t addr = static_cast<uint32_t>(buf), len = static_cast<uint32_t>(buf >> 32);
  if (len == 0) return std::string();
  uint8_t* p = g_.ptr(addr, len);
  if (!p) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(p), len);
}

void IgHost::say(const std::string& line) { g_.write_out(2, tool_name() + ": " + name_ + ": " + line + "\n"); }

void IgHost::gadgetLog(Params p) {
  uint32_t level = arg_u32(p, 0);
  std::optional<std::string> msg = text(u64(p, 1));
  if (!msg) return say("gadgetLog: the message is outside the module's memory");
  if (level > 4) return say("gadgetLog: unknown level " + std::to_string(level) + ": " + *msg);
  if (level >= 3 && !env_.verbose) return;
  say(std::string(kLevels[level]) + ": " + *msg);
}

uint32_t IgHost::getParamValue(Params p) {
  std::optional<std::string> key = text(u64(p, 0));
  uint64_t dst = u64(p, 1);
  auto it = key ? env_.params.find(*key) : env_.params.end();
  if (it == env_.params.end()) {
    if (env_.verbose) say("getParamValue: no param '" + key.value_or("?") + "'");
    return 1;
  }
  uint32_t addr = static_cast<uint32_t>(dst), len = static_cast<uint32_t>(dst >> 32);
  uint8_t* out = g_.ptr(addr, len);
  if (!out || it->second.size() + 1 > len) return 1;
  std::memcpy(out, it->second.data(), it->second.size());
  out[it->second.size()] = 0;
  return 0;
}

uint32_t IgHost::setConfig(Params p) {
  std::optional<std::string> key = text(u64(p, 0));
  if (!key) return 1;
  static const std::string prefix = "programs.", suffix = ".attach_to";
  bool attach_to = key->size() > prefix.size() + suffix.size() && key->compare(0, prefix.size(), prefix) == 0 &&
                   key->compare(key->size() - suffix.size(), suffix.size(), suffix) == 0;
  if (!attach_to || arg_u32(p, 2) != kKindString) {
    say("setConfig " + *key + ": not supported by ecli (only programs.<name>.attach_to, a string)");
    return 1;
  }
  std::optional<std::string> value = text(u64(p, 1));
  if (!value) return 1;
  std::string program = key->substr(prefix.size(), key->size() - prefix.size() - suffix.size());
  if (env_.verbose) say("program '" + program + "' attaches to '" + *value + "'");
  if (env_.set_attach_to) env_.set_attach_to(program, *value);
  return 0;
}

uint32_t IgHost::kallsymsSymbolExists(Params p) {
  std::optional<std::string> name = text(u64(p, 0));
  if (!name) return 0;
  if (!kallsyms_) {
    kallsyms_.emplace();
    std::ifstream in("/proc/kallsyms");
    for (std::string line; std::getline(in, line);) {
      std::istringstream fields(line);
      std::string addr, type, sym;
      if (fields >> addr >> type >> sym) kallsyms_->insert(sym);
    }
  }
  return kallsyms_->count(*name) ? 1 : 0;
}

HostFuncs IgHost::funcs() {
  wi::Store& s = g_.store();
  using T = wi::Trap::Ptr*;
  const Type I32 = Type::I32, I64 = Type::I64;
  HostFuncs f;
  f["gadgetLog"] = wi::HostFunc::New(s, func_type({I32, I64}, {}), [this](wi::Thread&, Params p, wi::Values&, T) {
    gadgetLog(p);
    return Result::Ok;
  });
  auto bind = [&](const char* name, wi::FuncType type, uint32_t (IgHost::*call)(Params)) {
    f[name] = wi::HostFunc::New(s, std::move(type), [this, call](wi::Thread&, Params p, wi::Values& r, T) {
      r[0] = wi::Value::Make((this->*call)(p));
      return Result::Ok;
    });
  };
  bind("getParamValue", func_type({I64, I64}, {I32}), &IgHost::getParamValue);
  bind("setConfig", func_type({I64, I64, I32}, {I32}), &IgHost::setConfig);
  bind("kallsymsSymbolExists", func_type({I64}, {I32}), &IgHost::kallsymsSymbolExists);
  return f;
}

}  // namespace ecc::wasmhost
