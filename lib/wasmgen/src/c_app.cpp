// app.c: options from the BPF globals, load, attach, events as JSON lines.
#include "c_emit.h"
#include "ecc/wasmgen.h"
#include "guest_model.h"

namespace ecc::wasmgen {

namespace {

std::string limits_min(const WType& t) { return "INT" + std::to_string(t.size * 8) + "_MIN"; }
std::string limits_max(const WType& t) {
  return std::string(t.is_signed ? "INT" : "UINT") + std::to_string(t.size * 8) + "_MAX";
}

std::string option_value(const GuestOption& o, size_t i) {
  return o.short_name ? std::string("'") + o.short_name + "'" : std::to_string(256 + i);
}

std::string set_code(const GuestOption& o, const std::string& target) {
  std::string lit = c_string_literal(o.long_name);
  if (o.is_switch) return "\t\t\t" + target + " = 1;\n";
  if (o.is_string) {
    std::string n = std::to_string(o.type.count);
    return "\t\t\tif (strlen(optarg) >= " + n + ")\n\t\t\t\tbad_value(" + lit + ", optarg);\n\t\t\tmemset(" + target +
           ", 0, " + n + ");\n\t\t\tmemcpy(" + target + ", optarg, strlen(optarg));\n";
  }
  if (o.type.kind == WKind::Float)
    return "\t\t\t{\n\t\t\t\tchar *end;\n\t\t\t\tdouble v = strtod(optarg, &end);\n\n\t\t\t\tif (end == optarg || *end)\n"
           "\t\t\t\t\tbad_value(" + lit + ", optarg);\n\t\t\t\t" + target + " = v;\n\t\t\t}\n";
  std::string c_type = c::scalar(o.type);
  if (o.type.is_signed)
    return "\t\t\t{\n\t\t\t\tint64_t v;\n\n\t\t\t\tif (ewasm_parse_int(optarg, " + limits_min(o.type) + ", " +
           limits_max(o.type) + ", &v))\n\t\t\t\t\tbad_value(" + lit + ", optarg);\n\t\t\t\t" + target + " = (" +
           c_type + ")v;\n\t\t\t}\n";
  return "\t\t\t{\n\t\t\t\tuint64_t v;\n\n\t\t\t\tif (ewasm_parse_uint(optarg, " + limits_max(o.type) +
         ", &v))\n\t\t\t\t\tbad_value(" + lit + ", optarg);\n\t\t\t\t" + target + " = (" + c_type + ")v;\n\t\t\t}\n";
}

std::string usage_text(const GuestModel& g, const std::string& name) {
  std::string u = "usage: " + name + " [options]\n";
  if (!g.brief.empty()) u += "\n" + g.brief + "\n";
  if (!g.details.empty()) u += (g.brief.empty() ? "\n" : "") + g.details + "\n";
  u += "\noptions:\n";
  auto row = [&](const std::string& left, const std::string& help) {
    std::string l = "  " + left;
    l += l.size() < 28 ? std::string(28 - l.size(), ' ') : "  ";
    u += l + help + "\n";
  };
  for (const GuestOption& o : g.options) {
    std::string left = o.short_name ? std::string("-") + o.short_name + ", " : "    ";
    left += "--" + o.long_name + (o.is_switch ? "" : "=VALUE");
    std::string help = o.help;
    if (!o.default_text.empty() && !o.is_switch) help += " (default: " + o.default_text + ")";
    row(left, help);
  }
  row("-h, --help", "print this help and exit");
  return u;
}

// JSON for `size` bytes at `expr`: a little-endian unsigned number for the
// integer sizes, else hex (the record decoders handle typed values).
std::string json_scalar_or_hex(const std::string& expr, uint32_t size) {
  if (size == 1 || size == 2 || size == 4 || size == 8) {
    std::string t = "uint" + std::to_string(size * 8) + "_t";
    return "\t\t{\n\t\t\t" + t + " v;\n\n\t\t\tmemcpy(&v, " + expr + ", sizeof(v));\n\t\t\tewasm_json_u64(v);\n\t\t}\n";
  }
  return "\t\tewasm_json_hex(" + expr + ", " + std::to_string(size) + ");\n";
}

// One dump function per sampled map (appended to `handlers`); returns the
// code in the run loop that calls each when its interval is due.
std::string sample_dumps(const GuestModel& g, std::string& handlers) {
  std::string calls;
  for (const GuestMap& m : g.maps) {
    if (!m.sample_ms || !m.key_size || !m.value_size) continue;
    std::string fd = "skel->maps." + m.ident, k = std::to_string(m.key_size), val = std::to_string(m.value_size);
    // The map name is a C identifier or a section name: no escaping needed.
    std::string f = "/* " + m.lookup_name + " every " + std::to_string(m.sample_ms) +
        " ms (@sample): one JSON line per entry, as `ecli -j`. */\nstatic void dump_" + m.ident + "(struct " + g.obj +
        " *skel)\n{\n\tuint8_t key[" + k + "], next[" + k + "];\n\tstatic uint8_t value[" + val +
        "] __attribute__((aligned(8)));\n\tint have = 0;\n\n\twhile (wasm_bpf_map_operate(" + fd +
        ", EWASM_MAP_NEXT_KEY, have ? key : NULL, NULL, next, 0) == 0) {\n\t\tmemcpy(key, next, sizeof(key));\n"
        "\t\thave = 1;\n\t\tif (wasm_bpf_map_operate(" + fd + ", EWASM_MAP_LOOKUP, key, value, NULL, 0))\n"
        "\t\t\tcontinue;\n\t\tewasm_json_raw(\"{\\\"map\\\":\\\"" + m.lookup_name + "\\\",\\\"key\\\":\");\n" +
        json_scalar_or_hex("key", m.key_size) + "\t\tewasm_json_raw(\",\\\"value\\\":\");\n";
    if (m.value_record >= 0) {
      const WRecord& r = g.plan.records[m.value_record];
      f += "\t\tewasm_json_" + c::ident(r) + "((const " + r.c_name() + " *)value);\n";
    } else {
      f += json_scalar_or_hex("value", m.value_size);
    }
    f += "\t\tewasm_json_raw(\"}\");\n\t\tewasm_json_line();\n\t}\n";
    if (m.sample_clear)
      f += "\t/* clear_map: start the next interval empty */\n\twhile (wasm_bpf_map_operate(" + fd +
           ", EWASM_MAP_NEXT_KEY, NULL, NULL, next, 0) == 0)\n\t\tif (wasm_bpf_map_operate(" + fd +
           ", EWASM_MAP_DELETE, next, NULL, NULL, 0))\n\t\t\tbreak;\n";
    f += "}\n\n";
    handlers += f;
    std::string next = "next_" + m.ident;
    calls += "\t\t{\n\t\t\tstatic int64_t " + next + ";\n\n\t\t\tif (!" + next + ")\n\t\t\t\t" + next + " = start + " +
             std::to_string(m.sample_ms) + ";\n\t\t\tif (now_ms() >= " + next + ") {\n\t\t\t\tdump_" + m.ident +
             "(skel);\n\t\t\t\t" + next + " += " + std::to_string(m.sample_ms) + ";\n\t\t\t}\n\t\t}\n";
  }
  return calls;
}

}  // namespace

Vars c_app_vars(const GuestInput& in) {
  GuestModel g = guest_model(in);
  Vars v;
  v["name"] = in.name;
  v["obj"] = g.obj;
  v["usage"] = "\t" + c_string_literal(usage_text(g, in.name));

  std::string long_options, short_options, cases;
  for (size_t i = 0; i < g.options.size(); ++i) {
    const GuestOption& o = g.options[i];
    std::string val = option_value(o, i);
    long_options += "\t\t{" + c_string_literal(o.long_name) + ", " + (o.is_switch ? "no_argument" : "required_argument") +
                    ", NULL, " + val + "},\n";
    if (o.short_name) short_options += std::string(1, o.short_name) + (o.is_switch ? "" : ":");
    cases += "\t\tcase " + val + ": /* " + o.view + "." + o.var + " */\n" +
             set_code(o, "skel->" + o.view + "->" + o.var) + "\t\t\tbreak;\n";
  }
  v["long_options"] = long_options;
  v["short_options"] = short_options;
  v["option_cases"] = cases;

  std::string handlers, loop;
  for (const GuestMap& m : g.maps) {
    if (!m.is_buffer) continue;
    handlers += "/* One record of " + m.lookup_name + " (" + m.type + "). */\nstatic int handle_" + m.ident +
                "(void *ctx, void *data, int size)\n{\n\t(void)ctx;\n";
    if (m.event_record >= 0) {
      const WRecord& r = g.plan.records[m.event_record];
      std::string type = r.c_name();
      handlers += "\tif (size < (int)sizeof(" + type + "))\n\t\treturn 0; /* a short record: nothing to decode */\n";
      handlers += "\tewasm_json_" + c::ident(r) + "((const " + type + " *)data);\n";
    } else {
      handlers += "\tewasm_json_hex((const uint8_t *)data, (size_t)size); /* no export type to decode it with */\n";
    }
    handlers += "\tewasm_json_line();\n\treturn 0;\n}\n\n";
    loop += "\t\terr = " + g.obj + "__poll(skel, skel->maps." + m.ident + ", handle_" + m.ident +
            ", NULL, 100);\n\t\tif (err < 0 && err != -EINTR)\n\t\t\tbreak;\n";
  }
  std::string sampled = sample_dumps(g, handlers);
  if (!sampled.empty()) {
    handlers = "static int64_t now_ms(void)\n{\n\tstruct timespec ts;\n\n"
               "\tclock_gettime(CLOCK_MONOTONIC, &ts);\n\treturn (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;\n}\n\n" +
               handlers;
    std::string sleep_if_idle = loop.empty() ? "\t\tusleep(50000);\n" : "";
    v["run_loop"] = "\tint64_t start = now_ms();\n\n\tfor (;;) {\n" + loop + sleep_if_idle + sampled +
                    "\t}\n\tif (err < 0)\n\t\tewasm_error(app_name, \"polling events failed\", err);\n";
  } else if (loop.empty()) {
    v["run_loop"] = "\t/* No ring buffer, perf event array or sampled map: stay attached until the runner\n"
                    "\t * stops the app. Read maps here with wasm_bpf_map_operate(skel->maps.<name>, ...). */\n"
                    "\tfor (;;)\n\t\tsleep(1);\n";
  } else {
    v["run_loop"] = "\tfor (;;) {\n" + loop + "\t}\n\tif (err < 0)\n\t\tewasm_error(app_name, \"polling events failed\", err);\n";
  }
  v["handlers"] = handlers;
  return v;
}

}  // namespace ecc::wasmgen
