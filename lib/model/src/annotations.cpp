#include "ecc/annotations.h"

#include <cctype>
#include <cmath>
#include <set>

#include "ecc/error.h"

namespace ecc {

namespace {

// Reads one annotation object; every error names the declaration and key.
class Reader {
 public:
  Reader(const Json& obj, std::string where, const std::string& file) : obj_(obj), where_(std::move(where)), file_(file) {}

  const Json* get(const char* key) const {
    auto it = obj_.find(key);
    return it == obj_.end() || it->is_null() ? nullptr : &*it;
  }
  [[noreturn]] void fail(const char* key, const std::string& what) const {
    throw Error(Exit::bad_input, where_ + key + " " + what + ": " + get(key)->dump(), file_);
  }
  std::string str(const char* key, std::string dflt = {}) const {
    const Json* v = get(key);
    if (!v) return dflt;
    if (!v->is_string()) fail(key, "is not a string");
    return v->get<std::string>();
  }
  bool boolean(const char* key, bool dflt) const {
    const Json* v = get(key);
    if (!v) return dflt;
    if (!v->is_boolean()) fail(key, "is not true or false");
    return v->get<bool>();
  }
  uint64_t uint(const char* key, uint64_t dflt, uint64_t max) const {
    const Json* v = get(key);
    if (!v) return dflt;
    if (!v->is_number_unsigned() && !(v->is_number_integer() && v->get<int64_t>() >= 0))
      fail(key, "is not a non-negative integer");
    uint64_t n = v->get<uint64_t>();
    if (n > max) fail(key, "is over " + std::to_string(max));
    return n;
  }
  int64_t integer(const char* key, int64_t dflt) const {
    const Json* v = get(key);
    if (!v) return dflt;
    if (!v->is_number_integer()) fail(key, "is not an integer");
    return v->get<int64_t>();
  }
  Interface iface(const char* key) const {
    const Json* v = get(key);
    Interface i;
    if (!v) return i;
    if (v->is_string() && !v->get<std::string>().empty()) i.name = v->get<std::string>();
    else if (v->is_number_integer() && v->get<int64_t>() > 0 && v->get<int64_t>() <= INT32_MAX) i.index = v->get<int>();
    else fail(key, "is not an interface index or name");
    return i;
  }
  Reader object(const char* key) const {
    static const Json empty = Json::object();
    const Json* v = get(key);
    if (v && !v->is_object()) fail(key, "is not an object");
    return Reader(v ? *v : empty, where_ + key + ".", file_);
  }

 private:
  const Json& obj_;
  std::string where_;
  const std::string& file_;
};

SampleSpec read_sample(const Reader& r) {
  SampleSpec s;
  std::string type = r.str("type", "default_kv");
  if (type == "log2_hist") s.kind = SampleSpec::Kind::log2_hist;
  else if (type == "linear_hist") s.kind = SampleSpec::Kind::linear_hist;
  else if (type == "default_kv") s.kind = SampleSpec::Kind::default_kv;
  else if (type == "top") s.kind = SampleSpec::Kind::top;
  else r.fail("type", "is not log2_hist, linear_hist, default_kv or top");
  s.interval_ms = static_cast<uint32_t>(r.uint("interval", 1000, 24u * 3600 * 1000));
  if (s.interval_ms == 0) s.interval_ms = 1000;
  s.unit = r.str("unit");
  s.clear_map = r.boolean("clear_map", false);
  s.base = r.uint("base", 0, UINT64_MAX);
  s.step = r.uint("step", 1, UINT64_MAX);
  if (s.step == 0) r.fail("step", "must be at least 1");
  s.sort = r.str("sort");
  s.max_rows = static_cast<uint32_t>(r.uint("max_entries", 0, UINT32_MAX));
  return s;
}

CmdArg read_cmdarg(const Reader& r) {
  CmdArg c;
  c.long_name = r.str("long");
  std::string s = r.str("short");
  if (!s.empty()) {
    if (s.size() != 1 || !std::isalnum(static_cast<unsigned char>(s[0])) || s[0] == 'h')
      r.fail("short", "is not one letter or digit other than h");
    c.short_name = s[0];
  }
  if (!c.long_name.empty() && (c.long_name == "help" || c.long_name.find_first_of(" =") != std::string::npos ||
                               c.long_name[0] == '-'))
    r.fail("long", "is not a usable option name");
  c.help = r.str("help");
  if (const Json* d = r.get("default")) {
    if (!d->is_primitive()) r.fail("default", "is not a number, string or boolean");
    c.default_value = *d;
  }
  return c;
}

NetAttach read_net(const Reader& r) {
  NetAttach n;
  n.xdp_if = r.iface("ifindex");
  n.xdp_flags = static_cast<uint32_t>(r.uint("flags", 0, UINT32_MAX));
  n.xdp_old_prog_fd = static_cast<int>(r.object("xdpopts").integer("old_prog_fd", 0));
  Reader hook = r.object("tchook");
  n.tc_if = hook.iface("ifindex");
  if (!n.tc_if.given()) n.tc_if = n.xdp_if;
  std::string point = hook.str("attach_point", "BPF_TC_INGRESS");
  if (point != "BPF_TC_INGRESS" && point != "BPF_TC_EGRESS") hook.fail("attach_point", "is not BPF_TC_INGRESS or BPF_TC_EGRESS");
  n.tc_egress = point == "BPF_TC_EGRESS";
  Reader opts = r.object("tcopts");
  n.tc_handle = static_cast<uint32_t>(opts.uint("handle", 1, UINT32_MAX));
  n.tc_priority = static_cast<uint32_t>(opts.uint("priority", 1, UINT16_MAX));
  return n;
}

// Named records reachable from `id` through members, arrays and typedefs.
void collect_nested(const TypeTable& tt, TypeId id, std::set<std::pair<TypeKind, std::string>>& out, int depth) {
  if (depth > 64) return;
  const Type& t = tt.at(tt.resolve(id));
  if (t.kind == TypeKind::Array) return collect_nested(tt, t.target, out, depth + 1);
  if (!is_record(t)) return;
  if (depth > 0 && !t.name.empty()) out.insert({t.kind, t.name});
  for (const Member& m : t.members) collect_nested(tt, m.type, out, depth + 1);
}

// The name an export type is known by (a typedef'd anonymous record by the typedef).
std::string export_name(const TypeTable& tt, TypeId id) {
  const Type& t = tt.at(tt.resolve(id));
  return t.name.empty() ? tt.at(id).name : t.name;
}

// --- @metric on the members of export records (docs/annotations.md#metric) ---

// Prometheus's default histogram buckets.
const std::vector<double> kDefaultBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

// One member's @metric: its type, and what its errors start with
// ("struct event member 'proc.pid': @metric").
struct MetricSite {
  const TypeTable& tt;
  TypeId type;
  std::string where;
  const std::string& file;
  [[noreturn]] void fail(const std::string& what) const { throw Error(Exit::bad_input, where + " " + what, file); }
};

// Labels are integers, enums, bools and strings (char arrays); counters and
// histograms add up and compare numbers.
bool is_label_type(const TypeTable& tt, TypeId id) {
  const Type& t = tt.at(tt.resolve(id));
  return t.kind == TypeKind::Int || t.kind == TypeKind::Enum || (tt.is_char_array(id) && tt.size_of(id) > 0);
}

bool is_numeric_type(const TypeTable& tt, TypeId id) {
  const Type& t = tt.at(tt.resolve(id));
  return (t.kind == TypeKind::Int && !t.is_bool) || t.kind == TypeKind::Float;
}

// The JSON object after `histogram`: {"buckets": [finite, strictly ascending, ...]}.
std::vector<double> read_buckets(const MetricSite& s, const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) s.fail("histogram needs a JSON object after the word, not: " + text);
  auto it = j.find("buckets");
  if (it == j.end() || it->is_null()) return kDefaultBuckets;
  if (!it->is_array() || it->empty()) s.fail("histogram buckets is not a non-empty array of numbers: " + it->dump());
  std::vector<double> out;
  for (const Json& b : *it) {
    if (!b.is_number() || !std::isfinite(b.get<double>()))
      s.fail("histogram buckets has an entry that is not a finite number: " + b.dump());
    if (!out.empty() && b.get<double>() <= out.back())
      s.fail("histogram buckets are not strictly ascending: " + it->dump());
    out.push_back(b.get<double>());
  }
  return out;
}

std::string_view trim_blanks(std::string_view s) {
  size_t begin = s.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(" \t") + 1 - begin);
}

// `label`, `counter`, `histogram` or `histogram {"buckets": [...]}`.
FieldMetric read_metric(const MetricSite& s, const Json& value, std::string path) {
  if (!value.is_string()) s.fail("is not label, counter or histogram: " + value.dump());
  std::string_view text = trim_blanks(value.get_ref<const std::string&>());
  size_t end = std::min(text.find_first_of(" \t"), text.size());
  std::string word(text.substr(0, end)), rest(trim_blanks(text.substr(end)));
  FieldMetric m{.member = std::move(path)};
  if (word == "label") m.kind = FieldMetric::Kind::label;
  else if (word == "counter") m.kind = FieldMetric::Kind::counter;
  else if (word == "histogram") m.kind = FieldMetric::Kind::histogram;
  else s.fail("is not label, counter or histogram: " + value.dump());
  if (m.kind != FieldMetric::Kind::histogram && !rest.empty())
    s.fail(word + " takes nothing after the word: " + value.dump());
  if (m.kind == FieldMetric::Kind::label && !is_label_type(s.tt, s.type))
    s.fail("label needs an integer, enum, bool or char array member, not " + s.tt.spell(s.type));
  if (m.kind != FieldMetric::Kind::label && !is_numeric_type(s.tt, s.type))
    s.fail(word + " needs a numeric member, not " + s.tt.spell(s.type));
  if (m.kind == FieldMetric::Kind::histogram) m.buckets = rest.empty() ? kDefaultBuckets : read_buckets(s, rest);
  return m;
}

// The @metric members of `record` and of the records in it (not through
// arrays), depth first in member order; `prefix` is the record's own path.
void collect_metrics(const TypeTable& tt, TypeId record, const std::string& prefix, const std::string& type_name,
                     const std::string& file, std::vector<FieldMetric>& out, int depth) {
  if (depth > kMaxTypeDepth)
    throw Error(Exit::bad_input, type_name + " nests records more than " + std::to_string(kMaxTypeDepth) + " deep",
                file);
  for (const Member& m : tt.at(tt.resolve(record)).members) {
    std::string path = m.name.empty() ? prefix : prefix.empty() ? m.name : prefix + "." + m.name;
    auto it = m.doc.find("metric");  // end() when the doc is not an object
    if (it != m.doc.end() && !it->is_null()) {
      std::string shown = m.name.empty() ? (prefix.empty() ? "" : prefix + ".") + "<anonymous>" : path;
      MetricSite site{tt, m.type, type_name + " member '" + shown + "': @metric", file};
      out.push_back(read_metric(site, *it, path));
    }
    if (is_record(tt.at(tt.resolve(m.type)))) collect_metrics(tt, m.type, path, type_name, file, out, depth + 1);
  }
}

}  // namespace

void read_annotations(Skeleton& skel, const std::string& file) {
  for (MapInfo& m : skel.maps) {
    m.sample.reset();
    if (!m.doc.is_object() || !m.doc.contains("sample")) continue;
    m.sample = read_sample(Reader(m.doc, "map '" + m.name + "': @", file).object("sample"));
  }
  for (DataSection& ds : skel.data_sections)
    for (Variable& v : ds.variables) {
      v.cmdarg.reset();
      if (!v.doc.is_object() || !v.doc.contains("cmdarg")) continue;
      v.cmdarg = read_cmdarg(Reader(v.doc, "variable '" + v.name + "': @", file).object("cmdarg"));
    }
  // The xdp/tc keys mean something only on xdp and tc programs.
  for (ProgInfo& p : skel.progs) {
    bool net = p.type == "BPF_PROG_TYPE_XDP" || p.type == "BPF_PROG_TYPE_SCHED_CLS";
    p.net = net && p.doc.is_object() ? read_net(Reader(p.doc, "program '" + p.name + "': @", file)) : NetAttach{};
  }
}

void read_metrics(Skeleton& skel, const std::string& file) {
  const TypeTable& tt = skel.types;
  skel.metrics.clear();
  for (TypeId id : skel.export_types) {
    const Type& t = tt.at(tt.resolve(id));
    if (!is_record(t)) continue;
    std::string type_name = (t.kind == TypeKind::Union ? "union " : "struct ") + export_name(tt, id);
    std::vector<FieldMetric> found;
    collect_metrics(tt, id, "", type_name, file, found, 0);
    if (!found.empty()) skel.metrics[id] = std::move(found);
  }
}

std::optional<TypeId> default_event_type(const Skeleton& skel) {
  const TypeTable& tt = skel.types;
  std::set<std::pair<TypeKind, std::string>> nested;
  for (TypeId id : skel.export_types) collect_nested(tt, id, nested, 0);
  std::optional<TypeId> first_record;
  for (TypeId id : skel.export_types) {
    const Type& t = tt.at(tt.resolve(id));
    if (!is_record(t)) continue;
    if (!first_record) first_record = id;
    if (!nested.count({t.kind, export_name(tt, id)})) return id;
  }
  return first_record;
}

void assign_event_types(Skeleton& skel) {
  const TypeTable& tt = skel.types;
  std::optional<TypeId> dflt = default_event_type(skel);
  for (MapInfo& m : skel.maps) {
    m.event_type.reset();
    if (m.type != "BPF_MAP_TYPE_RINGBUF" && m.type != "BPF_MAP_TYPE_PERF_EVENT_ARRAY") continue;
    if (m.value_type) {
      const Type& vt = tt.at(tt.resolve(*m.value_type));
      for (TypeId id : skel.export_types) {
        const Type& et = tt.at(tt.resolve(id));
        if (is_record(vt) && et.kind == vt.kind && !vt.name.empty() && export_name(tt, id) == vt.name) m.event_type = id;
      }
    }
    if (!m.event_type) m.event_type = dflt;
  }
}

bool is_placeholder_variable(std::string_view name) { return name.starts_with("__eunomia_dummy"); }

}  // namespace ecc
