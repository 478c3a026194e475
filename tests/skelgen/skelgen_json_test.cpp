// skeleton_json / export_types_json / package_json on a hand-built model,
// checked against the exact expected text.
#include <zlib.h>

#include <gtest/gtest.h>

#include "ecc/error.h"
#include "ecc/codec.h"
#include "ecc/skelgen.h"

namespace ecc {
namespace {

struct Ids {
  TypeId u32, i32, chr, comm, pid_t, cvpid, cvbool, boolean, event, anon, ev_kind, u8;
};

// A model like the one btfdump + srcscan build for a small sigsnoop-like
// program, with btf ids set as if read from an object.
Skeleton sample_skeleton(Ids& ids) {
  Skeleton s;
  s.obj_name = "demo_bpf";
  TypeTable& t = s.types;
  ids.u32 = t.add({.kind = TypeKind::Int, .name = "unsigned int", .size = 4, .align = 4, .btf_id = 1});
  ids.i32 = t.add({.kind = TypeKind::Int, .name = "int", .size = 4, .align = 4, .is_signed = true, .btf_id = 2});
  ids.chr = t.add({.kind = TypeKind::Int, .name = "char", .size = 1, .align = 1, .is_signed = true,
                   .is_char = true, .btf_id = 3});
  ids.u8 = t.add({.kind = TypeKind::Int, .name = "unsigned char", .size = 1, .align = 1, .btf_id = 4});
  ids.comm = t.add({.kind = TypeKind::Array, .target = ids.chr, .nelems = 16, .btf_id = 5});
  ids.pid_t = t.add({.kind = TypeKind::Typedef, .name = "pid_t", .target = ids.i32, .btf_id = 6});
  TypeId vol = t.add({.kind = TypeKind::Volatile, .target = ids.pid_t, .btf_id = 7});
  ids.cvpid = t.add({.kind = TypeKind::Const, .target = vol, .btf_id = 8});
  ids.boolean = t.add({.kind = TypeKind::Int, .name = "_Bool", .size = 1, .align = 1, .is_bool = true,
                       .btf_id = 9});
  TypeId vbool = t.add({.kind = TypeKind::Volatile, .target = ids.boolean, .btf_id = 10});
  ids.cvbool = t.add({.kind = TypeKind::Const, .target = vbool, .btf_id = 11});
  ids.anon = t.add({.kind = TypeKind::Union, .size = 4, .align = 4,
                    .members = {{"sig", ids.i32, 0, 0}, {"raw", ids.u32, 0, 0}}, .btf_id = 12});
  ids.event = t.add({.kind = TypeKind::Struct, .name = "event", .size = 28, .align = 4,
                     .members = {{"pid", ids.u32, 0, 0},
                                 {"", ids.anon, 32, 0},
                                 {"comm", ids.comm, 64, 0},
                                 {"lo", ids.u8, 192, 3},
                                 {"hi", ids.u8, 195, 5}},
                     .btf_id = 13});
  ids.ev_kind = t.add({.kind = TypeKind::Enum, .name = "kind", .size = 4, .align = 4,
                       .values = {{"K_A", 0}, {"K_B", -3}}});  // from Clang: no btf id

  s.maps.push_back({.name = "events", .ident = "events", .section = ".maps",
                    .type = "BPF_MAP_TYPE_PERF_EVENT_ARRAY", .key_size = 4, .value_size = 4,
                    .key_type = ids.i32, .value_type = ids.u32,
                    .doc = Json{{"description", "signals seen"}}});
  s.maps.push_back({.name = "demo_bpf.rodata", .ident = "rodata", .section = ".rodata", .mmaped = true,
                    .type = "BPF_MAP_TYPE_ARRAY", .key_size = 4, .value_size = 8, .max_entries = 1});
  s.progs.push_back({.name = "sig_gen", .attach = "tracepoint/signal/signal_generate",
                     .type = "BPF_PROG_TYPE_TRACEPOINT"});
  s.progs.push_back({.name = "on_exec", .attach = "tp_btf/sched_process_exec", .type = "BPF_PROG_TYPE_TRACING",
                     .attach_type = "BPF_TRACE_RAW_TP", .doc = Json{{"description", "exec"}}});
  DataSection ro{.name = ".rodata", .map_ident = "rodata", .size = 8};
  Json cmdarg = {{"short", "p"}, {"long", "pid"}, {"default", 0}, {"help", "only this pid"}};
  ro.variables.push_back({.name = "filtered_pid", .type = ids.cvpid, .offset = 0, .size = 4,
                          .doc = Json{{"description", "pid to trace"}, {"cmdarg", cmdarg}}});
  ro.variables.push_back({.name = "failed_only", .type = ids.cvbool, .offset = 4, .size = 1});
  s.data_sections.push_back(ro);
  s.export_types = {ids.event, ids.ev_kind};
  s.doc = Json{{"brief", "demo"}, {"version", "1.0"}};
  return s;
}

constexpr const char* kSkeletonGolden = R"({
  "obj_name": "demo_bpf",
  "maps": [
    {
      "name": "events",
      "ident": "events",
      "type": "BPF_MAP_TYPE_PERF_EVENT_ARRAY",
      "key_size": 4,
      "value_size": 4,
      "max_entries": 0,
      "key_type": "int",
      "value_type": "unsigned int",
      "description": "signals seen"
    },
    {
      "name": "demo_bpf.rodata",
      "ident": "rodata",
      "mmaped": true,
      "type": "BPF_MAP_TYPE_ARRAY",
      "key_size": 4,
      "value_size": 8,
      "max_entries": 1
    }
  ],
  "progs": [
    {
      "name": "sig_gen",
      "attach": "tracepoint/signal/signal_generate",
      "link": true,
      "type": "BPF_PROG_TYPE_TRACEPOINT"
    },
    {
      "name": "on_exec",
      "attach": "tp_btf/sched_process_exec",
      "link": true,
      "type": "BPF_PROG_TYPE_TRACING",
      "attach_type": "BPF_TRACE_RAW_TP",
      "description": "exec"
    }
  ],
  "data_sections": [
    {
      "name": ".rodata",
      "variables": [
        {
          "name": "filtered_pid",
          "type": "pid_t",
          "offset": 0,
          "size": 4,
          "description": "pid to trace",
          "cmdarg": {
            "short": "p",
            "long": "pid",
            "default": 0,
            "help": "only this pid"
          }
        },
        {
          "name": "failed_only",
          "type": "_Bool",
          "offset": 4,
          "size": 1
        }
      ]
    }
  ],
  "doc": {
    "brief": "demo",
    "version": "1.0"
  }
}
)";

TEST(SkeletonJson, ExactText) {
  Ids ids;
  EXPECT_EQ(dump_json(skeleton_json(sample_skeleton(ids))), kSkeletonGolden);
}

TEST(SkeletonJson, EmptySkeletonHasArraysNotNullAndNoDoc) {
  Skeleton s;
  s.obj_name = "x_bpf";
  EXPECT_EQ(dump_json(skeleton_json(s)),
            "{\n  \"obj_name\": \"x_bpf\",\n  \"maps\": [],\n  \"progs\": [],\n  \"data_sections\": []\n}\n");
}

TEST(SkeletonJson, DocCannotOverrideOwnFields) {
  Skeleton s;
  s.obj_name = "x_bpf";
  s.maps.push_back({.name = "m", .ident = "m", .type = "BPF_MAP_TYPE_HASH",
                    .doc = Json{{"name", "evil"}, {"sample", Json{{"interval", 1000}}}}});
  Json j = skeleton_json(s);
  EXPECT_EQ(j["maps"][0]["name"], "m");
  EXPECT_EQ(j["maps"][0]["sample"]["interval"], 1000);
}

constexpr const char* kExportGolden = R"([
  {
    "name": "event",
    "size": 28,
    "align": 4,
    "type_id": 13,
    "members": [
      {
        "name": "pid",
        "type": "unsigned int",
        "offset": 0,
        "size": 4
      },
      {
        "name": "",
        "type": "union {...}",
        "offset": 4,
        "size": 4,
        "members": [
          {
            "name": "sig",
            "type": "int",
            "offset": 4,
            "size": 4
          },
          {
            "name": "raw",
            "type": "unsigned int",
            "offset": 4,
            "size": 4
          }
        ]
      },
      {
        "name": "comm",
        "type": "char[16]",
        "offset": 8,
        "size": 16
      },
      {
        "name": "lo",
        "type": "unsigned char",
        "offset": 24,
        "size": 1,
        "bit_offset": 192,
        "bit_size": 3
      },
      {
        "name": "hi",
        "type": "unsigned char",
        "offset": 24,
        "size": 1,
        "bit_offset": 195,
        "bit_size": 5
      }
    ]
  },
  {
    "name": "kind",
    "size": 4,
    "align": 4,
    "values": [
      {
        "name": "K_A",
        "value": 0
      },
      {
        "name": "K_B",
        "value": -3
      }
    ]
  }
]
)";

TEST(ExportTypesJson, ExactText) {
  Ids ids;
  EXPECT_EQ(dump_json(export_types_json(sample_skeleton(ids))), kExportGolden);
}

TEST(ExportTypesJson, TypedefOfAnonymousStructTakesTheTypedefName) {
  Ids ids;
  Skeleton s = sample_skeleton(ids);
  TypeId rec = s.types.add({.kind = TypeKind::Struct, .size = 4, .align = 4, .members = {{"v", ids.i32, 0, 0}}});
  TypeId td = s.types.add({.kind = TypeKind::Typedef, .name = "val_t", .target = rec});
  s.export_types = {td};
  Json j = export_types_json(s);
  EXPECT_EQ(j[0]["name"], "val_t");
  EXPECT_EQ(j[0]["size"], 4);
  EXPECT_EQ(j[0]["members"][0]["name"], "v");
}

// docs/package-format.md#export_types: a member's annotations follow its own
// fields, inside anonymous records too; keys named like a member field are
// dropped even when the member lacks that field.
TEST(ExportTypesJson, MemberAnnotationsFollowTheMembersOwnFields) {
  Ids ids;
  Skeleton s = sample_skeleton(ids);
  Type& event = s.types.at(ids.event);
  event.members[0].doc = Json{{"description", "sender"}, {"metric", "label"}};
  event.members[3].doc = Json{{"bit_size", 8}, {"members", Json::array()}, {"name", "x"}, {"metric", "counter"}};
  event.members[4].doc = Json::object();
  s.types.at(ids.anon).members[1].doc = Json{{"metric", "histogram {\"buckets\": [1, 2]}"}};
  Json j = export_types_json(s);
  const Json& m = j[0]["members"];
  EXPECT_EQ(m[0].dump(), R"({"name":"pid","type":"unsigned int","offset":0,"size":4,)"
                         R"("description":"sender","metric":"label"})");
  EXPECT_EQ(m[1]["members"][1].dump(), R"({"name":"raw","type":"unsigned int","offset":4,"size":4,)"
                                       R"("metric":"histogram {\"buckets\": [1, 2]}"})");
  EXPECT_EQ(m[3].dump(), R"({"name":"lo","type":"unsigned char","offset":24,"size":1,"bit_offset":192,)"
                         R"("bit_size":3,"metric":"counter"})");
  EXPECT_EQ(m[4].dump(), R"({"name":"hi","type":"unsigned char","offset":24,"size":1,"bit_offset":195,)"
                         R"("bit_size":5})");
  EXPECT_EQ(m[2].dump(), R"({"name":"comm","type":"char[16]","offset":8,"size":16})");
}

TEST(ExportTypesJson, NonRecordIsAnError) {
  Ids ids;
  Skeleton s = sample_skeleton(ids);
  s.export_types = {ids.pid_t};
  EXPECT_THROW(export_types_json(s), Error);
}

TEST(PackageJson, LayoutAndDecodableObject) {
  Ids ids;
  Skeleton s = sample_skeleton(ids);
  std::vector<uint8_t> elf(5000);
  for (size_t i = 0; i < elf.size(); ++i) elf[i] = static_cast<uint8_t>((i * 7919) >> 3);
  Json p = package_json(s, elf);
  std::vector<std::string> keys;
  for (const auto& [k, v] : p.items()) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"bpf_object", "bpf_object_size", "meta"}));
  std::vector<std::string> meta_keys;
  for (const auto& [k, v] : p["meta"].items()) meta_keys.push_back(k);
  EXPECT_EQ(meta_keys, (std::vector<std::string>{"bpf_skel", "export_types", "eunomia_version"}));
  EXPECT_EQ(p["bpf_object_size"], 5000);
  EXPECT_EQ(p["meta"]["eunomia_version"], ECC_VERSION);
  EXPECT_EQ(p["meta"]["bpf_skel"], skeleton_json(s));
  EXPECT_EQ(p["meta"]["export_types"], export_types_json(s));
  EXPECT_EQ(p["bpf_object"], base64_encode(zlib_compress(elf)));
}

TEST(PackageJson, TwoRunsGiveTheSameBytes) {
  Ids a, b;
  std::vector<uint8_t> elf = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
  std::string first = dump_json(package_json(sample_skeleton(a), elf));
  std::string second = dump_json(package_json(sample_skeleton(b), elf));
  EXPECT_EQ(first, second);
  EXPECT_EQ(dump_yaml(package_json(sample_skeleton(a), elf)), dump_yaml(package_json(sample_skeleton(b), elf)));
}

// The package's text made from the text of meta is dump_json() of the
// package, byte for byte, with and without a btf_archive.
TEST(PackageJson, TextFromMetaTextIsTheDumpOfThePackage) {
  Ids ids;
  Skeleton s = sample_skeleton(ids);
  std::vector<uint8_t> elf(3000);
  for (size_t i = 0; i < elf.size(); ++i) elf[i] = static_cast<uint8_t>((i * 31) >> 2);
  std::string b64 = base64_encode(zlib_compress(elf));
  std::string meta_text = dump_json(meta_json(s));
  Json package = package_json(s, elf);
  EXPECT_EQ(dump_package_json(meta_text, b64, elf.size()), dump_json(package));
  Json archive = {{"compression", "zlib"}, {"kernels", Json::array({{{"release", "6.1.0"}, {"btf", "eJw="}}})}};
  package["btf_archive"] = archive;
  EXPECT_EQ(dump_package_json(meta_text, b64, elf.size(), &archive), dump_json(package));
}

// Objects dumped from their members' texts are dump_json() of the object:
// empty, nested, with keys that need escaping; meta from its two threads.
TEST(DumpJson, ObjectFromMemberTextsIsTheDumpOfTheObject) {
  EXPECT_EQ(dump_json_object({}), dump_json(Json::object()));
  Json inner = {{"a", Json::array({1, Json::object(), Json::array()})}, {"b", {{"c", "x\"y"}}}};
  std::string inner_text = dump_json(inner);
  std::string number = "7";
  Json whole = Json::object();
  whole["k\"ey"] = inner;
  whole["n"] = 7;
  EXPECT_EQ(dump_json_object({{"k\"ey", inner_text}, {"n", number}}), dump_json(whole));
  Ids ids;
  Skeleton s = sample_skeleton(ids);
  EXPECT_EQ(dump_meta_json(s), dump_json(meta_json(s)));
}

TEST(DumpJson, InvalidUtf8IsABadInputError) {
  Json j = {{"description", std::string("bad \xff byte")}};
  try {
    dump_json(j);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Exit::bad_input);
  }
}

}  // namespace
}  // namespace ecc
