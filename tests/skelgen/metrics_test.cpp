// @metric on export struct members (docs/annotations.md#metric) through both
// paths: ecc writes them into package.json, and the loader's package reader
// fills Skeleton::metrics from it with the same parse ecc ran.
#include <functional>
#include <map>

#include "ecc/loader.h"
#include "ecc_cases.h"

namespace ecc::test {
namespace {

using Kind = FieldMetric::Kind;

struct Expected {
  std::string member;
  Kind kind;
  std::vector<double> buckets;
};

const std::vector<double> kDefault = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

EccCase program(const std::string& name) { return {name, source_dir() / "tests" / "programs" / name}; }

// The metrics of every export type of the package at `path`, by type name.
std::map<std::string, std::vector<Expected>> metrics_of(const fs::path& path) {
  loader::Package pkg = loader::read_package(path.string());
  std::map<std::string, std::vector<Expected>> out;
  const TypeTable& tt = pkg.object.types;
  for (const auto& [id, list] : pkg.object.metrics) {
    std::string name = tt.at(tt.resolve(id)).name.empty() ? tt.at(id).name : tt.at(tt.resolve(id)).name;
    for (const FieldMetric& m : list) out[name].push_back({m.member, m.kind, m.buckets});
  }
  return out;
}

void expect_metrics(const std::map<std::string, std::vector<Expected>>& have,
                    const std::map<std::string, std::vector<Expected>>& want) {
  ASSERT_EQ(have.size(), want.size());
  for (const auto& [type, list] : want) {
    SCOPED_TRACE(type);
    ASSERT_TRUE(have.count(type));
    ASSERT_EQ(have.at(type).size(), list.size());
    for (size_t i = 0; i < list.size(); ++i) {
      EXPECT_EQ(have.at(type)[i].member, list[i].member);
      EXPECT_EQ(have.at(type)[i].kind, list[i].kind) << list[i].member;
      EXPECT_EQ(have.at(type)[i].buckets, list[i].buckets) << list[i].member;
    }
  }
}

// Named nested records: a member of struct task_ids is one of fork_event's
// through each member of that type.
TEST(Metrics, ForkmixRoundTripsThroughThePackage) {
  SKELGEN_REQUIRE_KERNEL_BTF_OR_SKIP();
  auto r = run_ecc(program("forkmix"));
  ASSERT_EQ(r->result.exit_code, 0) << r->result.err;
  expect_metrics(metrics_of(r->package()),
                 {{"task_ids", {{"uid", Kind::label, {}}}},
                  {"fork_event",
                   {{"parent.uid", Kind::label, {}},
                    {"child.uid", Kind::label, {}},
                    {"kind", Kind::label, {}},
                    {"comm", Kind::label, {}},
                    {"delta_ns", Kind::histogram, {1000, 10000, 100000, 1000000}}}}});
}

// Anonymous records, a named member of an anonymous type, bitfields, enums.
TEST(Metrics, UnlinkwatchRoundTripsThroughThePackage) {
  SKELGEN_REQUIRE_KERNEL_BTF_OR_SKIP();
  auto r = run_ecc(program("unlinkwatch"));
  ASSERT_EQ(r->result.exit_code, 0) << r->result.err;
  expect_metrics(metrics_of(r->package()),
                 {{"unlink_event",
                   {{"task.pid", Kind::label, {}},
                    {"ret", Kind::histogram, {-2, -1, 0}},
                    {"is_dir", Kind::label, {}},
                    {"depth", Kind::histogram, kDefault},
                    {"phase", Kind::label, {}},
                    {"comm", Kind::label, {}}}},
                  {"unlink_stats", {{"calls", Kind::counter, {}}, {"failures", Kind::counter, {}}}}});
}

// A hand-edited package: one line naming the package and the member, from
// the same parse; an annotated member the type lacks is refused too.
TEST(Metrics, AHandEditedPackageIsCheckedTheSameWay) {
  SKELGEN_REQUIRE_KERNEL_BTF_OR_SKIP();
  auto r = run_ecc(program("unlinkwatch"));
  ASSERT_EQ(r->result.exit_code, 0) << r->result.err;
  const OJson pkg = OJson::parse(read_text(r->package()));
  auto expect_error = [&](const std::function<void(OJson&)>& edit, const std::string& line) {
    OJson j = pkg;
    edit(j);
    try {
      loader::decode_package(j.dump(), "edited/package.json");
      ADD_FAILURE() << "accepted: " << line;
    } catch (const Error& e) {
      EXPECT_EQ(e.line(), line + " (edited/package.json)");
    }
  };
  auto event_member = [](OJson& j, const std::string& name) -> OJson& {
    for (OJson& t : j["meta"]["export_types"])
      if (t["name"] == "unlink_event")
        for (OJson& m : t["members"])
          if (m["name"] == name) return m;
    throw std::runtime_error("no member " + name);
  };
  expect_error([&](OJson& j) { event_member(j, "name")["metric"] = "counter"; },
               "struct unlink_event member 'name': @metric counter needs a numeric member, not char[64]");
  expect_error([&](OJson& j) { event_member(j, "phase")["metric"] = "histogram {\"buckets\": [3, 2]}"; },
               "struct unlink_event member 'phase': @metric histogram needs a numeric member, not enum unlink_phase");
  expect_error([&](OJson& j) { event_member(j, "ts")["metric"] = "histogram {\"buckets\": [3, 2]}"; },
               "struct unlink_event member 'ts': @metric histogram buckets are not strictly ascending: [3,2]");
  expect_error([&](OJson& j) { event_member(j, "ts")["metric"] = true; },
               "struct unlink_event member 'ts': @metric is not label, counter or histogram: true");
  expect_error([&](OJson& j) { event_member(j, "task")["members"][1]["metric"] = "gauge"; },
               "struct unlink_event member 'task.tid': @metric is not label, counter or histogram: \"gauge\"");
  expect_error(
      [&](OJson& j) {
        event_member(j, "ts")["metric"] = "counter";
        event_member(j, "ts")["name"] = "no_such_member";
      },
               "export type 'unlink_event' member 'no_such_member' has annotations but is not in the type");
  // A good edit is read: a metric added, another removed.
  OJson j = pkg;
  event_member(j, "ts")["metric"] = "counter";
  event_member(j, "comm").erase("metric");
  loader::Package ok = loader::decode_package(j.dump(), "edited/package.json");
  std::vector<std::string> paths;
  for (const auto& [id, list] : ok.object.metrics)
    if (ok.object.types.at(id).name == "unlink_event")
      for (const FieldMetric& m : list) paths.push_back(m.member);
  EXPECT_EQ(paths, (std::vector<std::string>{"ts", "task.pid", "ret", "is_dir", "depth", "phase"}));
}

}  // namespace
}  // namespace ecc::test
