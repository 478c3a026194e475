// read_object on linked objects, checked against bpftool as the oracle:
// `bpftool gen skeleton` for map names/idents, program order and data
// section variables, `bpftool btf dump` for the DATASEC secinfo.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "btf_test_util.h"
#include "ecc/error.h"

namespace ecc::test {
namespace {

const char* kProgram = R"(
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

struct event {
  int pid;
  char comm[16];
  unsigned long long ts;
};

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 256 * 1024);
} rb SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
  __uint(key_size, sizeof(u32));
  __uint(value_size, sizeof(u32));
} events SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_HASH);
  __uint(max_entries, 1024);
  __type(key, u32);
  __type(value, struct event);
} starts SEC(".maps");

struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 2);
  __type(key, int);
  __type(value, long);
} counts SEC(".maps");

const volatile pid_t target_pid = 0;
const volatile bool verbose = false;
const volatile char prefix[3] = "ab";
u64 hits;
struct event last_event;
int ratio = 3;
long limit = 10;
static int hidden = 1;
static long hidden_bss;
int custom_a SEC(".data.custom") = 1;
u64 custom_b SEC(".data.custom") = 2;
int long_named SEC(".data.a_rather_long_name") = 3;
extern int LINUX_KERNEL_VERSION __kconfig;

SEC("tracepoint/syscalls/sys_enter_kill")
int on_kill(void *ctx) {
  struct event *e = bpf_ringbuf_reserve(&rb, sizeof(*e), 0);
  if (!e) return 0;
  e->pid = target_pid + ratio + limit + hidden++ + hidden_bss++ + LINUX_KERNEL_VERSION;
  bpf_ringbuf_submit(e, 0);
  last_event.ts = hits++ + custom_a + custom_b + verbose + prefix[1] + long_named;
  return 0;
}

SEC("kprobe/do_unlinkat")
int BPF_KPROBE(on_unlink, int dfd) {
  bpf_trace_printk("unlink %d", sizeof("unlink %d"), dfd);
  return 0;
}

SEC("fentry/do_unlinkat")
int BPF_PROG(on_unlink_entry, int dfd) { return 0; }

SEC("raw_tp/sched_switch")
int on_switch(void *ctx) { return 0; }

SEC("fexit/do_unlinkat")
int BPF_PROG(on_unlink_exit, int dfd, long ret) { return 0; }

SEC("lsm/bpf")
int BPF_PROG(on_bpf, int cmd) { return 0; }

SEC("xdp")
int on_xdp(struct xdp_md *ctx) { return XDP_PASS; }

SEC("cgroup_skb/egress")
int on_egress(struct __sk_buff *skb) { return 1; }

char LICENSE[] SEC("license") = "GPL";
)";

// What `bpftool gen skeleton` says about an object.
struct BpftoolSkeleton {
  std::vector<std::pair<std::string, std::string>> maps;  // name, ident
  std::vector<std::string> mmaped;                        // idents
  std::vector<std::string> progs;
  std::map<std::string, std::vector<std::string>> datasecs;  // ident -> variable names
};

BpftoolSkeleton bpftool_skeleton(const fs::path& obj, const std::string& obj_name) {
  RunResult r = run({"bpftool", "gen", "skeleton", obj.string(), "name", obj_name});
  if (r.exit_code != 0) throw std::runtime_error("bpftool gen skeleton: " + r.err);
  BpftoolSkeleton s;
  static const std::regex map_name(R"re(s->maps\[\d+\]\.name = "([^"]*)";)re");
  static const std::regex map_ident(R"re(s->maps\[\d+\]\.map = &obj->maps\.(\w+);)re");
  static const std::regex mmaped(R"re(s->maps\[\d+\]\.mmaped = \(void \*\*\)&obj->(\w+);)re");
  static const std::regex prog(R"re(s->progs\[\d+\]\.name = "([^"]*)";)re");
  const std::regex sec_begin("struct " + obj_name + R"re(__(\w+) \{)re");
  static const std::regex field(R"re((\w+)(\[[^\]]*\])*;$)re");
  std::istringstream in(r.out);
  std::string line, current;
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, map_name)) s.maps.emplace_back(m[1], "");
    else if (std::regex_search(line, m, map_ident)) s.maps.back().second = m[1];
    else if (std::regex_search(line, m, mmaped)) s.mmaped.push_back(m[1]);
    else if (std::regex_search(line, m, prog)) s.progs.push_back(m[1]);
    else if (std::regex_search(line, m, sec_begin) && line.find(';') == std::string::npos) {
      current = m[1];
      s.datasecs[current];
    } else if (!current.empty() && line.find('}') != std::string::npos) {
      current.clear();
    } else if (!current.empty() && std::regex_search(line, m, field) && !m[1].str().starts_with("__pad")) {
      s.datasecs[current].push_back(m[1]);
    }
  }
  return s;
}

// DATASEC name -> [(offset, size)] from `bpftool btf dump file`.
std::map<std::string, std::vector<std::pair<uint32_t, uint32_t>>> bpftool_datasecs(const fs::path& obj) {
  RunResult r = run({"bpftool", "-j", "btf", "dump", "file", obj.string()});
  if (r.exit_code != 0) throw std::runtime_error("bpftool btf dump: " + r.err);
  std::map<std::string, std::vector<std::pair<uint32_t, uint32_t>>> out;
  const nlohmann::json dump = nlohmann::json::parse(r.out);
  for (const auto& t : dump.at("types")) {
    if (t.at("kind") != "DATASEC") continue;
    auto& vars = out[t.at("name").get<std::string>()];
    for (const auto& v : t.at("vars")) vars.emplace_back(v.at("offset").get<uint32_t>(), v.at("size").get<uint32_t>());
  }
  return out;
}

class ReadObject : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    obj_ = new fs::path(compile_bpf(*dir_, "demo", kProgram));
    skel_ = new Skeleton(read_object(read_bytes(*obj_), "demo_bpf", obj_->string()));
  }
  static void TearDownTestSuite() {
    delete skel_;
    delete obj_;
    delete dir_;
  }
  static const MapInfo& map(const std::string& ident) {
    for (const MapInfo& m : skel_->maps)
      if (m.ident == ident) return m;
    throw std::runtime_error("no map " + ident);
  }
  static const DataSection& section(const std::string& name) {
    for (const DataSection& d : skel_->data_sections)
      if (d.name == name) return d;
    throw std::runtime_error("no data section " + name);
  }
  static const ProgInfo& prog(const std::string& name) {
    for (const ProgInfo& p : skel_->progs)
      if (p.name == name) return p;
    throw std::runtime_error("no program " + name);
  }

  static TempDir* dir_;
  static fs::path* obj_;
  static Skeleton* skel_;
};
TempDir* ReadObject::dir_;
fs::path* ReadObject::obj_;
Skeleton* ReadObject::skel_;

TEST_F(ReadObject, MapsMatchBpftoolSkeleton) {
  BpftoolSkeleton want = bpftool_skeleton(*obj_, "demo_bpf");
  ASSERT_EQ(skel_->maps.size(), want.maps.size());
  std::vector<std::string> mmaped;
  for (size_t i = 0; i < want.maps.size(); ++i) {
    EXPECT_EQ(skel_->maps[i].name, want.maps[i].first) << i;
    EXPECT_EQ(skel_->maps[i].ident, want.maps[i].second) << i;
    if (skel_->maps[i].mmaped) mmaped.push_back(skel_->maps[i].ident);
  }
  // bpftool 7.1 carries an older libbpf that makes every internal map
  // mmapable; the libbpf we link (1.1.2) leaves out those without a DATASEC
  // of global variables, like the string literals of .rodata.str1.1.
  std::erase(want.mmaped, "rodata_str1_1");
  EXPECT_EQ(mmaped, want.mmaped);
  for (const char* ident : {"rodata", "data", "bss", "kconfig", "data_custom"})
    EXPECT_TRUE(map(ident).mmaped) << ident;
  EXPECT_FALSE(map("rodata_str1_1").mmaped);
}

TEST_F(ReadObject, UserMaps) {
  const MapInfo& rb = map("rb");
  EXPECT_EQ(rb.name, "rb");
  EXPECT_EQ(rb.section, ".maps");
  EXPECT_FALSE(rb.mmaped);
  EXPECT_EQ(rb.type, "BPF_MAP_TYPE_RINGBUF");
  EXPECT_EQ(rb.max_entries, 256u * 1024);
  EXPECT_EQ(rb.key_size, 0u);
  EXPECT_FALSE(rb.key_type.has_value());
  EXPECT_FALSE(rb.value_type.has_value());

  const MapInfo& ev = map("events");
  EXPECT_EQ(ev.type, "BPF_MAP_TYPE_PERF_EVENT_ARRAY");
  EXPECT_EQ(ev.key_size, 4u);
  EXPECT_EQ(ev.value_size, 4u);

  const MapInfo& h = map("starts");
  EXPECT_EQ(h.type, "BPF_MAP_TYPE_HASH");
  EXPECT_EQ(h.key_size, 4u);
  EXPECT_EQ(h.value_size, 32u);
  EXPECT_EQ(h.max_entries, 1024u);
  ASSERT_TRUE(h.key_type && h.value_type);
  EXPECT_EQ(skel_->types.spell(*h.key_type), "u32");
  EXPECT_EQ(skel_->types.spell(*h.value_type), "struct event");

  const MapInfo& a = map("counts");
  EXPECT_EQ(a.type, "BPF_MAP_TYPE_ARRAY");
  EXPECT_EQ(a.max_entries, 2u);
  EXPECT_EQ(a.value_size, 8u);
  ASSERT_TRUE(a.key_type && a.value_type);
  EXPECT_EQ(skel_->types.spell(*a.key_type), "int");
  EXPECT_EQ(skel_->types.spell(*a.value_type), "long");
}

TEST_F(ReadObject, InternalMaps) {
  const MapInfo& ro = map("rodata");
  EXPECT_EQ(ro.section, ".rodata");
  EXPECT_EQ(ro.type, "BPF_MAP_TYPE_ARRAY");
  EXPECT_EQ(ro.max_entries, 1u);
  EXPECT_EQ(ro.value_size, section(".rodata").size);
  EXPECT_FALSE(ro.value_type.has_value());  // a DATASEC, described by data_sections
  EXPECT_EQ(map("data_custom").name, ".data.custom");
  EXPECT_EQ(map("data_custom").section, ".data.custom");
  EXPECT_EQ(map("bss").section, ".bss");
  EXPECT_EQ(map("kconfig").section, ".kconfig");
  EXPECT_EQ(map("rodata_str1_1").section, ".rodata.str1.1");
  // A custom section keeps its whole name (the kernel's 15-character cut
  // happens only when the map is created).
  const MapInfo& cut = map("data_a_rather_long_name");
  EXPECT_EQ(cut.name, ".data.a_rather_long_name");
  EXPECT_EQ(cut.section, ".data.a_rather_long_name");
  EXPECT_TRUE(cut.mmaped);
}

TEST_F(ReadObject, ProgramsInObjectOrder) {
  BpftoolSkeleton want = bpftool_skeleton(*obj_, "demo_bpf");
  std::vector<std::string> names;
  for (const ProgInfo& p : skel_->progs) names.push_back(p.name);
  EXPECT_EQ(names, want.progs);
}

TEST_F(ReadObject, ProgramTypesAndAttachTypes) {
  struct Want {
    const char *name, *attach, *type, *attach_type;
  };
  for (const Want& w : std::initializer_list<Want>{
           {"on_kill", "tracepoint/syscalls/sys_enter_kill", "BPF_PROG_TYPE_TRACEPOINT", ""},
           {"on_unlink", "kprobe/do_unlinkat", "BPF_PROG_TYPE_KPROBE", ""},
           {"on_unlink_entry", "fentry/do_unlinkat", "BPF_PROG_TYPE_TRACING", "BPF_TRACE_FENTRY"},
           {"on_unlink_exit", "fexit/do_unlinkat", "BPF_PROG_TYPE_TRACING", "BPF_TRACE_FEXIT"},
           {"on_switch", "raw_tp/sched_switch", "BPF_PROG_TYPE_RAW_TRACEPOINT", ""},
           {"on_bpf", "lsm/bpf", "BPF_PROG_TYPE_LSM", "BPF_LSM_MAC"},
           {"on_xdp", "xdp", "BPF_PROG_TYPE_XDP", ""},
           {"on_egress", "cgroup_skb/egress", "BPF_PROG_TYPE_CGROUP_SKB", "BPF_CGROUP_INET_EGRESS"}}) {
    const ProgInfo& p = prog(w.name);
    EXPECT_EQ(p.attach, w.attach) << w.name;
    EXPECT_EQ(p.type, w.type) << w.name;
    EXPECT_EQ(p.attach_type, w.attach_type) << w.name;
    EXPECT_TRUE(p.link) << w.name;
  }
}

TEST_F(ReadObject, DataSectionsMatchBpftool) {
  BpftoolSkeleton want = bpftool_skeleton(*obj_, "demo_bpf");
  auto secinfo = bpftool_datasecs(*obj_);
  std::vector<std::string> names;
  for (const DataSection& ds : skel_->data_sections) {
    names.push_back(ds.name);
    std::vector<std::string> vars;
    for (const Variable& v : ds.variables) vars.push_back(v.name);
    ASSERT_TRUE(want.datasecs.count(ds.map_ident)) << ds.map_ident;
    EXPECT_EQ(vars, want.datasecs.at(ds.map_ident)) << ds.name;
    ASSERT_TRUE(ds.name == ".kconfig" || secinfo.count(ds.name)) << ds.name;
    if (ds.name == ".kconfig") continue;  // libbpf lays externs out at open, not the linker
    // Every variable sits where the linked object's DATASEC says.
    const auto& info = secinfo.at(ds.name);
    for (const Variable& v : ds.variables)
      EXPECT_NE(std::find(info.begin(), info.end(), std::make_pair(v.offset, v.size)), info.end())
          << ds.name << " " << v.name << " @" << v.offset;
  }
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{".bss", ".data", ".data.a_rather_long_name", ".data.custom",
                                             ".kconfig", ".rodata"}));
}

TEST_F(ReadObject, DataSectionContents) {
  const DataSection& ro = section(".rodata");
  EXPECT_EQ(ro.map_ident, "rodata");
  ASSERT_EQ(ro.variables.size(), 3u);
  EXPECT_EQ(ro.variables[0].name, "target_pid");
  EXPECT_EQ(ro.variables[0].offset, 0u);
  EXPECT_EQ(ro.variables[0].size, 4u);
  EXPECT_EQ(skel_->types.spell(ro.variables[0].type), "pid_t");
  // The declared type keeps const volatile; spelling strips them.
  EXPECT_EQ(skel_->types.at(ro.variables[0].type).kind == TypeKind::Const ||
                skel_->types.at(ro.variables[0].type).kind == TypeKind::Volatile,
            true);
  EXPECT_EQ(ro.variables[1].name, "verbose");
  EXPECT_EQ(skel_->types.spell(ro.variables[1].type), "bool");
  EXPECT_EQ(ro.variables[2].name, "prefix");
  EXPECT_EQ(skel_->types.spell(ro.variables[2].type), "char[3]");
  EXPECT_EQ(ro.variables[2].size, 3u);

  const DataSection& data = section(".data");
  std::vector<std::string> names;
  for (const Variable& v : data.variables) names.push_back(v.name);
  EXPECT_EQ(names, (std::vector<std::string>{"ratio", "limit"}));  // `hidden` is static
  EXPECT_EQ(data.variables[1].offset % 8, 0u);

  const DataSection& bss = section(".bss");
  names.clear();
  for (const Variable& v : bss.variables) names.push_back(v.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"hits", "last_event"}));
  for (size_t i = 1; i < bss.variables.size(); ++i)
    EXPECT_LT(bss.variables[i - 1].offset, bss.variables[i].offset);

  const DataSection& custom = section(".data.custom");
  EXPECT_EQ(custom.map_ident, "data_custom");
  ASSERT_EQ(custom.variables.size(), 2u);
  EXPECT_EQ(custom.variables[0].name, "custom_a");
  EXPECT_EQ(custom.variables[1].name, "custom_b");
  EXPECT_EQ(custom.variables[1].offset, 8u);
  EXPECT_EQ(custom.size, 16u);

  const DataSection& kc = section(".kconfig");
  EXPECT_EQ(kc.map_ident, "kconfig");
  ASSERT_EQ(kc.variables.size(), 1u);
  EXPECT_EQ(kc.variables[0].name, "LINUX_KERNEL_VERSION");
  EXPECT_EQ(kc.variables[0].size, 4u);
  EXPECT_EQ(kc.size, map("kconfig").value_size);

  const DataSection& cut = section(".data.a_rather_long_name");
  EXPECT_EQ(cut.map_ident, "data_a_rather_long_name");
  ASSERT_EQ(cut.variables.size(), 1u);
  EXPECT_EQ(cut.variables[0].name, "long_named");
}

TEST(ReadObjectErrors, NotAnElf) {
  std::vector<uint8_t> junk = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n'};
  try {
    read_object(junk, "junk_bpf", "junk.bpf.o");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Exit::bad_input);
    EXPECT_EQ(e.file(), "junk.bpf.o");
    EXPECT_TRUE(std::string(e.what()).starts_with("not a valid BPF object: ")) << e.what();
    EXPECT_GT(std::string(e.what()).size(), std::string("not a valid BPF object: ").size());
  }
}

TEST(ReadObjectErrors, EmptyFile) {
  try {
    read_object({}, "e_bpf", "e.bpf.o");
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Exit::bad_input);
    EXPECT_EQ(e.file(), "e.bpf.o");
  }
}

TEST(ReadObjectErrors, TruncatedObject) {
  TempDir dir;
  fs::path obj = compile_bpf(dir, "small", "int x; char LICENSE[] __attribute__((section(\"license\"))) = \"GPL\";\n");
  std::vector<uint8_t> bytes = read_bytes(obj);
  ASSERT_GT(bytes.size(), 200u);
  // Section headers sit at the end of the file: cut them off.
  bytes.resize(bytes.size() / 2);
  EXPECT_THROW(
      {
        try {
          read_object(bytes, "small_bpf", obj.string());
        } catch (const Error& e) {
          EXPECT_EQ(e.code(), Exit::bad_input);
          EXPECT_EQ(e.file(), obj.string());
          throw;
        }
      },
      Error);
}

TEST(ReadObjectErrors, CorruptBtf) {
  // A BTF-defined map needs the object's BTF, so libbpf cannot drop it.
  TempDir dir;
  fs::path obj = compile_bpf(dir, "corrupt", R"(
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
struct {
  __uint(type, BPF_MAP_TYPE_ARRAY);
  __uint(max_entries, 1);
  __type(key, int);
  __type(value, int);
} m SEC(".maps");
char LICENSE[] SEC("license") = "GPL";
)");
  std::vector<uint8_t> bytes = read_bytes(obj);
  // Break the BTF magic (0xeB9F, version 1, little-endian) in place.
  bool broken = false;
  for (size_t i = 0; i + 4 < bytes.size() && !broken; ++i)
    if (bytes[i] == 0x9f && bytes[i + 1] == 0xeb && bytes[i + 2] == 1 && bytes[i + 3] == 0) {
      bytes[i] = 0;
      broken = true;
    }
  ASSERT_TRUE(broken);
  try {
    read_object(bytes, "corrupt_bpf", obj.string());
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Exit::bad_input);
    EXPECT_EQ(e.file(), obj.string());
    EXPECT_NE(std::string(e.what()).find("BTF"), std::string::npos) << e.what();
  }
}

TEST(ReadObjectQuiet, LibbpfStaysSilent) {
  // libbpf prints to stderr by default; read_object must not let it.
  TempDir dir;
  fs::path obj = compile_bpf(dir, "quiet", "int x = 1; char LICENSE[] __attribute__((section(\"license\"))) = \"GPL\";\n");
  testing::internal::CaptureStderr();
  EXPECT_THROW(read_object(std::vector<uint8_t>(64, 0x7f), "q_bpf", "q.o"), Error);
  Skeleton s = read_object(read_bytes(obj), "quiet_bpf", obj.string());
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(s.obj_name, "quiet_bpf");
}

}  // namespace
}  // namespace ecc::test
