// app.c: options from the BPF globals, load, attach, events as JSON lines.
// The C text is in templates/app.c.in; this fills its variables and lists.
#include "c_emit.h"
#include "ecc/guest_model.h"
#include "ecc/wasmgen.h"

namespace ecc::wasmgen {

namespace {


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

Context option_context(const GuestOption& o, size_t i) {
  Context c;
  std::string bits = std::to_string(o.type.size * 8);
  c.vars = {{"long_literal", c_string_literal(o.long_name)},
            {"has_arg", o.is_switch ? "no_argument" : "required_argument"},
            {"val", o.short_name ? std::string("'") + o.short_name + "'" : std::to_string(256 + i)},
            {"view", o.view},
            {"var", o.var},
            {"count", std::to_string(o.type.count)},
            {"ctype", c::scalar(o.type)},
            {"min", "INT" + bits + "_MIN"},
            {"max", std::string(o.type.is_signed ? "INT" : "UINT") + bits + "_MAX"}};
  bool number = !o.is_switch && !o.is_string && o.type.kind != WKind::Float;
  c.lists["is_switch"] = when(o.is_switch);
  c.lists["is_string"] = when(!o.is_switch && o.is_string);
  c.lists["is_float"] = when(!o.is_switch && !o.is_string && o.type.kind == WKind::Float);
  c.lists["is_signed"] = when(number && o.type.is_signed);
  c.lists["is_unsigned"] = when(number && !o.type.is_signed);
  return c;
}

bool is_number_size(uint32_t size) { return size == 1 || size == 2 || size == 4 || size == 8; }

// A ring or perf buffer the app polls, its events typed when the model
// knows their record.
Context buffer_context(const GuestModel& g, const GuestMap& m) {
  Context b;
  b.vars = {{"ident", m.ident}, {"lookup_name", m.lookup_name}, {"type", m.type}};
  if (m.event_record >= 0) {
    const WRecord& r = g.plan.records[m.event_record];
    b.vars["ctype"] = r.c_name();
    b.vars["record_ident"] = c::ident(r);
  }
  b.lists["typed"] = when(m.event_record >= 0);
  b.lists["untyped"] = when(m.event_record < 0);
  return b;
}

// A map the app prints every interval (@sample): key and value as numbers,
// a record or hex.
Context sample_context(const GuestModel& g, const GuestMap& m) {
  Context s;
  // The map name is a C identifier or a section name: no escaping needed.
  s.vars = {{"ident", m.ident},
            {"lookup_name", m.lookup_name},
            {"interval", std::to_string(m.sample_ms)},
            {"key_size", std::to_string(m.key_size)},
            {"value_size", std::to_string(m.value_size)}};
  auto number = [](uint32_t size) {
    return is_number_size(size) ? std::vector<Context>{Context{{{"bits", std::to_string(size * 8)}}, {}}}
                                : std::vector<Context>{};
  };
  s.lists["key_number"] = number(m.key_size);
  s.lists["key_hex"] = when(!is_number_size(m.key_size));
  if (m.value_record >= 0) {
    const WRecord& r = g.plan.records[m.value_record];
    s.lists["value_record"] = {Context{{{"record_ident", c::ident(r)}, {"ctype", r.c_name()}}, {}}};
    s.lists["value_number"] = {};
    s.lists["value_hex"] = {};
  } else {
    s.lists["value_record"] = {};
    s.lists["value_number"] = number(m.value_size);
    s.lists["value_hex"] = when(!is_number_size(m.value_size));
  }
  s.lists["clear"] = when(m.sample_clear);
  return s;
}

}  // namespace

Context c_app_context(const GuestModel& g, const GuestInput& in) {
  Context c;
  c.vars = {{"name", in.name}, {"obj", g.obj}, {"usage", "\t" + c_string_literal(usage_text(g, in.name))}};

  std::string short_options;
  for (size_t i = 0; i < g.options.size(); ++i) {
    const GuestOption& o = g.options[i];
    c.lists["options"].push_back(option_context(o, i));
    if (o.short_name) short_options += std::string(1, o.short_name) + (o.is_switch ? "" : ":");
  }
  c.vars["short_options"] = short_options;

  for (const GuestMap& m : g.maps) {
    if (m.is_buffer) c.lists["buffers"].push_back(buffer_context(g, m));
    if (m.sample_ms && m.key_size && m.value_size) c.lists["samples"].push_back(sample_context(g, m));
  }
  c.lists.try_emplace("options");
  c.lists.try_emplace("buffers");
  c.lists.try_emplace("samples");
  bool buffers = !c.lists["buffers"].empty(), samples = !c.lists["samples"].empty();
  c.lists["has_samples"] = when(samples);
  c.lists["idle"] = when(!buffers && !samples);
  c.lists["loop"] = when(buffers || samples);
  c.lists["no_buffers"] = when(!buffers);
  return c;
}

}  // namespace ecc::wasmgen
