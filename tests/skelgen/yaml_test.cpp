// dump_yaml: a YAML reader must give back exactly the JSON, keys in order.
#include <yaml-cpp/yaml.h>

#include <gtest/gtest.h>

#include "ecc/codec.h"
#include "ecc/skelgen.h"

namespace ecc {
namespace {

// How a YAML 1.1 reader types scalars: quoted ones ("!" tag) are strings;
// plain ones are null, booleans, integers or floats when they look like it.
Json to_json(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      Json j = Json::object();
      for (const auto& kv : n) j[kv.first.as<std::string>()] = to_json(kv.second);
      return j;
    }
    case YAML::NodeType::Sequence: {
      Json j = Json::array();
      for (const auto& v : n) j.push_back(to_json(v));
      return j;
    }
    case YAML::NodeType::Null:
      return nullptr;
    default:
      break;
  }
  const std::string s = n.Scalar();
  if (n.Tag() == "!") return s;
  bool b;
  if (YAML::convert<bool>::decode(n, b)) return b;
  int64_t i;
  if (YAML::convert<int64_t>::decode(n, i)) return i;
  double d;
  if (YAML::convert<double>::decode(n, d)) return d;
  return s;
}

void expect_round_trip(const Json& j) {
  std::string text = dump_yaml(j);
  Json back = to_json(YAML::Load(text));
  EXPECT_EQ(back.dump(), j.dump()) << text;  // dump() also compares key order
}

TEST(Yaml, TrickyStringsStayStrings) {
  Json j = Json::object();
  const char* tricky[] = {"true", "False", "yes", "NO", "on", "off", "y", "n", "null", "~", "",
                          "123", "-4", "0x1f", "1e5", ".inf", ".nan", "3.5", "- item", "a: b",
                          "#comment", "key: value", "[list]", "{map}", "&anchor", "*alias",
                          "!tag", "|", ">", "'single'", "\"double\"", "trailing ", " leading",
                          "line\nbreak", "tab\there", "percent%", "@at", "`tick", "naïve",
                          "Zm9vYmE=", "ok_plain.name", "BPF_MAP_TYPE_RINGBUF", "char[16]"};
  int i = 0;
  for (const char* s : tricky) j["k" + std::to_string(i++)] = s;
  j["yes"] = "key that looks boolean";
  j["123"] = "key that looks numeric";
  expect_round_trip(j);
}

TEST(Yaml, NumbersBooleansNullsAndEmptyContainers) {
  Json j = {{"int", 42}, {"neg", -7}, {"big", 18446744073709551615ull}, {"float", 0.1},
            {"t", true},  {"f", false}, {"nil", nullptr},
            {"empty_obj", Json::object()}, {"empty_arr", Json::array()},
            {"nested", Json::array({Json::object({{"a", 1}}), Json::array({1, "2", Json::array()})})}};
  std::string text = dump_yaml(j);
  Json back = to_json(YAML::Load(text));
  // 2^64-1 does not fit int64_t: compare it as text.
  EXPECT_EQ(YAML::Load(text)["big"].as<uint64_t>(), 18446744073709551615ull);
  back.erase("big");
  j.erase("big");
  EXPECT_EQ(back.dump(), j.dump()) << text;
}

TEST(Yaml, PackageLikeTreeRoundTripsAndKeepsOrder) {
  Json skel = {{"obj_name", "demo_bpf"},
               {"maps", Json::array({{{"name", "rb"}, {"ident", "rb"}, {"type", "BPF_MAP_TYPE_RINGBUF"},
                                      {"sample", {{"interval", 1000}, {"type", "log2_hist"}}}}})},
               {"progs", Json::array()},
               {"doc", {{"brief", "a tool: does things"}, {"version", "1.0"}}}};
  std::vector<uint8_t> blob(3000);
  for (size_t i = 0; i < blob.size(); ++i) blob[i] = static_cast<uint8_t>(i * 31);
  Json pkg = {{"bpf_object", base64_encode(zlib_compress(blob))}, {"bpf_object_size", 3000},
              {"meta", {{"bpf_skel", skel}}}};
  expect_round_trip(pkg);
  std::string text = dump_yaml(pkg);
  EXPECT_LT(text.find("bpf_object:"), text.find("bpf_object_size:"));
  EXPECT_LT(text.find("obj_name:"), text.find("maps:"));
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(dump_yaml(pkg), text);
}

}  // namespace
}  // namespace ecc
