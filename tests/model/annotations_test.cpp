// The typed annotations (docs/annotations.md) and the event-type rule shared by ecc,
// ecli and the Wasm generators.
#include <gtest/gtest.h>

#include <map>

#include "ecc/annotations.h"
#include "ecc/error.h"

namespace ecc {
namespace {

TypeId add_int(TypeTable& tt, const char* name, uint32_t size) {
  Type t;
  t.kind = TypeKind::Int;
  t.name = name;
  t.size = t.align = size;
  t.is_signed = true;
  return tt.add(t);
}

TypeId add_record(TypeTable& tt, TypeKind kind, const char* name, std::vector<Member> members, uint32_t size) {
  Type t;
  t.kind = kind;
  t.name = name;
  t.size = size;
  t.align = 4;
  t.members = std::move(members);
  return tt.add(t);
}

// forkmix's header: the first record (task_ids) is a member of a later one.
Skeleton forkmix_like() {
  Skeleton s;
  TypeTable& tt = s.types;
  TypeId i32 = add_int(tt, "int", 4);
  Type e;
  e.kind = TypeKind::Enum;
  e.name = "fork_kind";
  e.size = e.align = 4;
  TypeId kind = tt.add(e);
  TypeId ids = add_record(tt, TypeKind::Struct, "task_ids", {{"pid", i32, 0, 0}, {"tgid", i32, 32, 0}}, 8);
  Type arr;
  arr.kind = TypeKind::Array;
  arr.target = ids;
  arr.nelems = 2;
  arr.size = 16;
  TypeId ids2 = tt.add(arr);
  TypeId payload = add_record(tt, TypeKind::Union, "fork_payload", {{"x", i32, 0, 0}}, 4);
  TypeId ev = add_record(tt, TypeKind::Struct, "fork_event",
                         {{"both", ids2, 0, 0}, {"kind", kind, 128, 0}, {"payload", payload, 160, 0}}, 24);
  TypeId other = add_record(tt, TypeKind::Struct, "other_event", {{"pid", i32, 0, 0}}, 4);
  s.export_types = {kind, ids, payload, ev, other};
  MapInfo perf;
  perf.name = "fork_events";
  perf.type = "BPF_MAP_TYPE_PERF_EVENT_ARRAY";
  MapInfo ring;
  ring.name = "rb";
  ring.type = "BPF_MAP_TYPE_RINGBUF";
  ring.value_type = other;
  MapInfo hash;
  hash.name = "counts";
  hash.type = "BPF_MAP_TYPE_HASH";
  hash.value_type = ev;
  s.maps = {perf, ring, hash};
  return s;
}

TEST(EventTypes, TheFirstRecordNotNestedInAnotherIsTheDefault) {
  Skeleton s = forkmix_like();
  ASSERT_TRUE(default_event_type(s));
  EXPECT_EQ(s.types.at(*default_event_type(s)).name, "fork_event");
  assign_event_types(s);
  ASSERT_TRUE(s.maps[0].event_type);
  EXPECT_EQ(s.types.at(*s.maps[0].event_type).name, "fork_event");
  // A value type naming an export type wins.
  ASSERT_TRUE(s.maps[1].event_type);
  EXPECT_EQ(s.types.at(*s.maps[1].event_type).name, "other_event");
  // Only ring buffers and perf event arrays carry events.
  EXPECT_FALSE(s.maps[2].event_type);
}

TEST(EventTypes, NoExportedRecordMeansNoEvents) {
  Skeleton s = forkmix_like();
  s.export_types = {s.export_types[0]};  // the enum only
  assign_event_types(s);
  EXPECT_FALSE(s.maps[0].event_type);
}

Skeleton annotated(Json map_doc, Json var_doc, Json prog_doc, const char* prog_type = "BPF_PROG_TYPE_XDP") {
  Skeleton s;
  MapInfo m;
  m.name = "hists";
  m.doc = std::move(map_doc);
  s.maps.push_back(m);
  DataSection ds;
  ds.name = ".rodata";
  Variable v;
  v.name = "min_us";
  v.doc = std::move(var_doc);
  ds.variables.push_back(v);
  s.data_sections.push_back(ds);
  ProgInfo p;
  p.name = "xdp_pass";
  p.type = prog_type;
  p.doc = std::move(prog_doc);
  s.progs.push_back(p);
  return s;
}

TEST(Annotations, TypedFromTheDocJson) {
  Skeleton s = annotated(Json::parse(R"({"description": "d", "sample": {"interval": 250, "type": "linear_hist",
                             "unit": "ms", "clear_map": true, "base": 10, "step": 5, "extra": 1}})"),
                         Json::parse(R"({"cmdarg": {"short": "m", "long": "min", "default": 20, "help": "minimum"}})"),
                         Json::parse(R"({"ifindex": "lo", "flags": 2, "tchook": {"ifindex": 3,
                             "attach_point": "BPF_TC_EGRESS"}, "tcopts": {"handle": 7, "priority": 9}})"));
  read_annotations(s, "x.bpf.c");
  ASSERT_TRUE(s.maps[0].sample);
  const SampleSpec& sp = *s.maps[0].sample;
  EXPECT_EQ(sp.kind, SampleSpec::Kind::linear_hist);
  EXPECT_EQ(sp.interval_ms, 250u);
  EXPECT_EQ(sp.unit, "ms");
  EXPECT_TRUE(sp.clear_map);
  EXPECT_EQ(sp.base, 10u);
  EXPECT_EQ(sp.step, 5u);
  const auto& c = s.data_sections[0].variables[0].cmdarg;
  ASSERT_TRUE(c);
  EXPECT_EQ(c->short_name, 'm');
  EXPECT_EQ(c->long_name, "min");
  EXPECT_EQ(c->help, "minimum");
  EXPECT_EQ(c->default_value, Json(20));
  const NetAttach& n = s.progs[0].net;
  EXPECT_EQ(n.xdp_if.name, "lo");
  EXPECT_EQ(n.xdp_flags, 2u);
  EXPECT_EQ(n.tc_if.index, 3);
  EXPECT_TRUE(n.tc_egress);
  EXPECT_EQ(n.tc_handle, 7u);
  EXPECT_EQ(n.tc_priority, 9u);
}

TEST(Annotations, IntervalZeroOrAbsentIsOneSecond) {
  for (const char* doc : {R"({"sample": {"interval": 0}})", R"({"sample": {}})"}) {
    Skeleton s = annotated(Json::parse(doc), Json::object(), Json::object());
    read_annotations(s, "x.bpf.c");
    ASSERT_TRUE(s.maps[0].sample) << doc;
    EXPECT_EQ(s.maps[0].sample->interval_ms, 1000u) << doc;
    EXPECT_EQ(s.maps[0].sample->kind, SampleSpec::Kind::default_kv);
  }
}

TEST(Annotations, NetKeysMatterOnlyOnXdpAndTc) {
  Skeleton s = annotated(Json::object(), Json::object(), Json::parse(R"({"ifindex": "not checked", "flags": "x"})"),
                         "BPF_PROG_TYPE_TRACEPOINT");
  EXPECT_NO_THROW(read_annotations(s, "x.bpf.c"));
}

struct BadCase {
  const char* map_doc;
  const char* var_doc;
  const char* prog_doc;
  const char* message;
};

TEST(Annotations, AMalformedValueIsOneErrorNamingTheDeclarationAndKey) {
  const BadCase cases[] = {
      {R"({"sample": {"interval": "x"}})", "{}", "{}",
       "map 'hists': @sample.interval is not a non-negative integer: \"x\""},
      {R"({"sample": {"interval": -5}})", "{}", "{}", "map 'hists': @sample.interval is not a non-negative integer: -5"},
      {R"({"sample": {"type": "pie"}})", "{}", "{}",
       "map 'hists': @sample.type is not log2_hist, linear_hist, default_kv or top: \"pie\""},
      {R"({"sample": 3})", "{}", "{}", "map 'hists': @sample is not an object: 3"},
      {R"({"sample": {"clear_map": "yes"}})", "{}", "{}", "map 'hists': @sample.clear_map is not true or false"},
      {R"({"sample": {"step": 0}})", "{}", "{}", "map 'hists': @sample.step must be at least 1"},
      {"{}", R"({"cmdarg": {"short": "mm"}})", "{}", "variable 'min_us': @cmdarg.short is not one letter"},
      {"{}", R"({"cmdarg": {"long": 5}})", "{}", "variable 'min_us': @cmdarg.long is not a string: 5"},
      {"{}", R"({"cmdarg": {"default": [1]}})", "{}", "variable 'min_us': @cmdarg.default is not a number"},
      {"{}", R"({"cmdarg": "m"})", "{}", "variable 'min_us': @cmdarg is not an object"},
      {"{}", "{}", R"({"ifindex": -1})", "program 'xdp_pass': @ifindex is not an interface index or name: -1"},
      {"{}", "{}", R"({"tchook": {"attach_point": "up"}})", "program 'xdp_pass': @tchook.attach_point is not"},
      {"{}", "{}", R"({"tcopts": {"priority": 70000}})", "program 'xdp_pass': @tcopts.priority is over 65535"},
  };
  for (const BadCase& c : cases) {
    Skeleton s = annotated(Json::parse(c.map_doc), Json::parse(c.var_doc), Json::parse(c.prog_doc));
    try {
      read_annotations(s, "x.bpf.c");
      ADD_FAILURE() << "accepted " << c.map_doc << c.var_doc << c.prog_doc;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Exit::bad_input);
      EXPECT_EQ(e.file(), "x.bpf.c");
      EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
    }
  }
}

// --- @metric on the members of export records (docs/annotations.md#metric) ---

TypeId add_type(TypeTable& tt, TypeKind kind, const char* name, uint32_t size, TypeId target = 0, uint32_t n = 0) {
  Type t;
  t.kind = kind;
  t.name = name;
  t.size = t.align = size;
  t.target = target;
  t.nelems = n;
  return tt.add(t);
}

Member doc_member(const char* name, TypeId type, uint32_t bit_offset, const char* metric) {
  Member m{name, type, bit_offset, 0};
  if (metric) m.doc = Json{{"description", "d"}, {"metric", metric}};
  return m;
}

// struct event { char comm[16]; struct proc proc; union { int ret; }; _Bool ok;
// double secs; unsigned long long bytes; char *where; int pids[4]; } and
// struct proc { int pid; }, with `metrics[name]` as the @metric of each.
Skeleton metric_skeleton(const std::map<std::string, const char*>& metrics) {
  Skeleton s;
  TypeTable& tt = s.types;
  auto metric = [&](const char* name) -> const char* {
    auto it = metrics.find(name);
    return it == metrics.end() ? nullptr : it->second;
  };
  TypeId i32 = add_int(tt, "int", 4);
  TypeId chr = add_type(tt, TypeKind::Int, "char", 1);
  TypeId u64 = add_type(tt, TypeKind::Int, "unsigned long long", 8);
  TypeId boolean = add_type(tt, TypeKind::Int, "_Bool", 1);
  tt.at(boolean).is_bool = true;
  TypeId dbl = add_type(tt, TypeKind::Float, "double", 8);
  TypeId comm = add_type(tt, TypeKind::Array, "", 16, chr, 16);
  TypeId ptr = add_type(tt, TypeKind::Pointer, "", 8, chr);
  TypeId pids = add_type(tt, TypeKind::Array, "", 16, i32, 4);
  TypeId proc = add_record(tt, TypeKind::Struct, "proc", {doc_member("pid", i32, 0, metric("proc.pid"))}, 4);
  TypeId anon = add_record(tt, TypeKind::Union, "", {doc_member("ret", i32, 0, metric("ret"))}, 4);
  std::vector<Member> members = {
      doc_member("comm", comm, 0, metric("comm")),     doc_member("proc", proc, 128, metric("proc")),
      doc_member("", anon, 160, nullptr),              doc_member("ok", boolean, 192, metric("ok")),
      doc_member("secs", dbl, 256, metric("secs")),    doc_member("bytes", u64, 320, metric("bytes")),
      doc_member("where", ptr, 384, metric("where")),  doc_member("pids", pids, 448, metric("pids"))};
  TypeId event = add_record(tt, TypeKind::Struct, "event", members, 64);
  TypeId bare = add_record(tt, TypeKind::Struct, "bare", {{"x", i32, 0, 0}}, 4);
  s.export_types = {proc, event, bare};
  return s;
}

TEST(Metrics, EveryKindAndPathIntoTheModel) {
  Skeleton s = metric_skeleton({{"comm", "label"}, {"proc.pid", " label "}, {"ret", "histogram"},
                                {"ok", "label"}, {"secs", R"(histogram {"buckets": [-1, 0.5, 2e3]})"},
                                {"bytes", "counter"}});
  read_metrics(s, "x.h");
  TypeId proc = s.export_types[0], event = s.export_types[1];
  ASSERT_EQ(s.metrics.size(), 2u) << "no entry for an export type without @metric";
  ASSERT_EQ(s.metrics.at(proc).size(), 1u);
  EXPECT_EQ(s.metrics.at(proc)[0].member, "pid");
  const std::vector<FieldMetric>& m = s.metrics.at(event);
  std::vector<std::string> paths;
  for (const FieldMetric& f : m) paths.push_back(f.member);
  // Member order, depth first; a member of an anonymous member by its own name.
  EXPECT_EQ(paths, (std::vector<std::string>{"comm", "proc.pid", "ret", "ok", "secs", "bytes"}));
  using K = FieldMetric::Kind;
  std::vector<K> kinds;
  for (const FieldMetric& f : m) kinds.push_back(f.kind);
  EXPECT_EQ(kinds, (std::vector<K>{K::label, K::label, K::histogram, K::label, K::histogram, K::counter}));
  EXPECT_EQ(m[2].buckets, (std::vector<double>{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}));
  EXPECT_EQ(m[4].buckets, (std::vector<double>{-1, 0.5, 2000}));
  EXPECT_TRUE(m[0].buckets.empty());
  // Read again, the same result: nothing left over from the first read.
  read_metrics(s, "x.h");
  EXPECT_EQ(s.metrics.at(event).size(), 6u);
}

TEST(Metrics, NullOrOtherKeysAreNoMetric) {
  Skeleton s = metric_skeleton({});
  s.types.at(s.types.resolve(s.export_types[1])).members[0].doc = Json{{"metric", nullptr}, {"unit", "x"}};
  read_metrics(s, "x.h");
  EXPECT_TRUE(s.metrics.empty());
}

TEST(Metrics, AMalformedOneIsOneLineNamingTheStructAndMember) {
  const std::pair<std::pair<const char*, const char*>, const char*> cases[] = {
      {{"bytes", "gauge"}, "struct event member 'bytes': @metric is not label, counter or histogram: \"gauge\""},
      {{"bytes", ""}, "struct event member 'bytes': @metric is not label, counter or histogram: \"\""},
      {{"bytes", "Counter"}, "struct event member 'bytes': @metric is not label, counter or histogram: \"Counter\""},
      {{"bytes", "counter {}"}, "struct event member 'bytes': @metric counter takes nothing after the word: "
                                "\"counter {}\""},
      {{"comm", "label x"}, "struct event member 'comm': @metric label takes nothing after the word: \"label x\""},
      {{"bytes", "histogram {buckets"},
       "struct event member 'bytes': @metric histogram needs a JSON object after the word, not: {buckets"},
      {{"bytes", "histogram [1, 2]"},
       "struct event member 'bytes': @metric histogram needs a JSON object after the word, not: [1, 2]"},
      {{"bytes", R"(histogram {"buckets": [1e400]})"},
       "struct event member 'bytes': @metric histogram needs a JSON object after the word, not: "
       R"({"buckets": [1e400]})"},
      {{"bytes", R"(histogram {"buckets": []})"},
       "struct event member 'bytes': @metric histogram buckets is not a non-empty array of numbers: []"},
      {{"bytes", R"(histogram {"buckets": 5})"},
       "struct event member 'bytes': @metric histogram buckets is not a non-empty array of numbers: 5"},
      {{"bytes", R"(histogram {"buckets": [1, "2"]})"},
       "struct event member 'bytes': @metric histogram buckets has an entry that is not a finite number: \"2\""},
      {{"bytes", R"(histogram {"buckets": [1, 1]})"},
       "struct event member 'bytes': @metric histogram buckets are not strictly ascending: [1,1]"},
      {{"bytes", R"(histogram {"buckets": [0.1, 0.01]})"},
       "struct event member 'bytes': @metric histogram buckets are not strictly ascending: [0.1,0.01]"},
      {{"comm", "counter"}, "struct event member 'comm': @metric counter needs a numeric member, not char[16]"},
      {{"comm", "histogram"}, "struct event member 'comm': @metric histogram needs a numeric member, not char[16]"},
      {{"ok", "counter"}, "struct event member 'ok': @metric counter needs a numeric member, not _Bool"},
      {{"where", "histogram"}, "struct event member 'where': @metric histogram needs a numeric member, not char *"},
      {{"proc", "label"},
       "struct event member 'proc': @metric label needs an integer, enum, bool or char array member, not struct proc"},
      {{"pids", "label"},
       "struct event member 'pids': @metric label needs an integer, enum, bool or char array member, not int[4]"},
      {{"secs", "label"},
       "struct event member 'secs': @metric label needs an integer, enum, bool or char array member, not double"},
      {{"ret", "gauge"}, "struct event member 'ret': @metric is not label, counter or histogram: \"gauge\""},
  };
  for (const auto& [metric, message] : cases) {
    Skeleton s = metric_skeleton({metric});
    s.export_types = {s.export_types[1]};  // event only: struct proc's own member is named below
    try {
      read_metrics(s, "x.h");
      ADD_FAILURE() << "accepted " << metric.first << ": " << metric.second;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Exit::bad_input);
      EXPECT_EQ(e.line(), std::string(message) + " (x.h)");
    }
  }
}

TEST(Metrics, ObjectValuesAndNestedMembersAreNamed) {
  Skeleton s = metric_skeleton({{"proc.pid", "counter"}});
  s.export_types = {s.export_types[1]};
  s.types.at(s.types.resolve(s.export_types[0])).members[5].doc = Json{{"metric", {{"kind", "counter"}}}};
  try {
    read_metrics(s, "x.h");
    ADD_FAILURE() << "accepted an object";
  } catch (const Error& e) {
    EXPECT_EQ(e.line(), "struct event member 'bytes': @metric is not label, counter or histogram: "
                        "{\"kind\":\"counter\"} (x.h)");
  }
  s.types.at(s.types.resolve(s.export_types[0])).members[5].doc = nullptr;
  Member& pid = s.types.at(s.types.at(s.types.resolve(s.export_types[0])).members[1].type).members[0];
  pid.doc = Json{{"metric", "counter x"}};
  try {
    read_metrics(s, "x.h");
    ADD_FAILURE() << "accepted counter x";
  } catch (const Error& e) {
    EXPECT_EQ(e.line(), "struct event member 'proc.pid': @metric counter takes nothing after the word: "
                        "\"counter x\" (x.h)");
  }
}

TEST(Annotations, EunomiaPlaceholdersAreNotOptions) {
  EXPECT_TRUE(is_placeholder_variable("__eunomia_dummy_event_ptr"));
  EXPECT_FALSE(is_placeholder_variable("min_duration_ns"));
}

}  // namespace
}  // namespace ecc
