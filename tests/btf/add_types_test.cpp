// add_missing_types: export types a program uses only for locals are added
// to the object's .BTF (docs/package-format.md), and nothing else of the object changes.
// Oracles: the BTF plain clang writes for a global of the same type (read
// back with our importer, and printed by pahole), libelf for the sections,
// libbpf for programs and maps, bpftool and the kernel for acceptance.
#include <gelf.h>
#include <libelf.h>
#include <fcntl.h>
#include <unistd.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "btf_test_util.h"
#include "ecc/error.h"
#include "ecc/layout_check.h"
#include "ecc_cases.h"
#include "oracle_parsers.h"

namespace ecc::test {
namespace {

// Every shape an export type's member can take.
const char* kHeader = R"(
typedef unsigned int my_u32;
enum color { RED = 1, GREEN = 2, BLUE = -1 };
struct point { int x, y; };
typedef struct { short a; char tag[3]; } anon_t;
struct rich {
  unsigned long long big : 40;
  unsigned int flags : 3;
  int level : 5;
  my_u32 id;
  char comm[16];
  union {
    int i;
    float f;
    struct { short lo, hi; } parts;
  };
  enum color c;
  struct point pts[2][3];
  const volatile char *name;
  anon_t an;
  struct rich *next;
  _Bool ok;
  __int128 huge;
};
/* pahole's text is the oracle here; oracle_parsers reads no function pointers. */
struct hooks {
  void (*cb)(int, char *);
  struct rich *owner;
};
)";

// The types above only as locals: clang leaves them out of the BTF.
const char* kProgram = R"(
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "rich.h"

struct {
  __uint(type, BPF_MAP_TYPE_RINGBUF);
  __uint(max_entries, 4096);
} rb SEC(".maps");

const volatile int min_pid = 0;
u64 seen;

SEC("tracepoint/syscalls/sys_enter_getpid")
int handle(void *ctx) {
  struct rich r = {};
  anon_t a = {};
  struct hooks h = {};
  r.id = bpf_get_current_pid_tgid() >> 32;
  r.i = 7;
  if ((int)r.id < min_pid) return 0;
  r.c = BLUE;
  a.a = 3;
  r.an = a;
  h.owner = &r;
  bpf_ringbuf_output(&rb, &h, sizeof h, 0);
  __sync_fetch_and_add(&seen, 1);
  bpf_ringbuf_output(&rb, &r, sizeof r, 0);
  return 0;
}

char LICENSE[] SEC("license") = "GPL";
)";

// The same types as globals: the BTF clang writes for them is the oracle.
const char* kProbe = R"(
#include "vmlinux.h"
#include "rich.h"
struct rich probe_rich;
anon_t probe_anon;
struct hooks probe_hooks;
)";

struct ElfEnd {
  void operator()(Elf* e) const { elf_end(e); }
};

// Section name -> bytes, for every section of an ELF file.
std::map<std::string, std::vector<uint8_t>> sections(const fs::path& path) {
  elf_version(EV_CURRENT);
  std::vector<uint8_t> bytes = read_bytes(path);
  std::unique_ptr<Elf, ElfEnd> elf(elf_memory(reinterpret_cast<char*>(bytes.data()), bytes.size()));
  EXPECT_TRUE(elf) << elf_errmsg(-1);
  std::map<std::string, std::vector<uint8_t>> out;
  size_t shstrndx = 0;
  if (!elf || elf_getshdrstrndx(elf.get(), &shstrndx) != 0) return out;
  for (Elf_Scn* scn = elf_nextscn(elf.get(), nullptr); scn; scn = elf_nextscn(elf.get(), scn)) {
    GElf_Shdr sh;
    gelf_getshdr(scn, &sh);
    Elf_Data* d = elf_getdata(scn, nullptr);
    const auto* p = d && d->d_buf ? static_cast<const uint8_t*>(d->d_buf) : nullptr;
    out[elf_strptr(elf.get(), shstrndx, sh.sh_name)] = p ? std::vector<uint8_t>(p, p + d->d_size)
                                                         : std::vector<uint8_t>();
  }
  return out;
}

struct ObjectClose {
  void operator()(bpf_object* o) const { bpf_object__close(o); }
};

// Program name -> instruction bytes, as libbpf opens the object.
std::map<std::string, std::vector<uint8_t>> instructions(const fs::path& path) {
  std::vector<uint8_t> bytes = read_bytes(path);
  std::unique_ptr<bpf_object, ObjectClose> obj(bpf_object__open_mem(bytes.data(), bytes.size(), nullptr));
  EXPECT_TRUE(obj) << path;
  std::map<std::string, std::vector<uint8_t>> out;
  if (!obj) return out;
  bpf_program* p;
  bpf_object__for_each_program(p, obj.get()) {
    const auto* insns = reinterpret_cast<const uint8_t*>(bpf_program__insns(p));
    out[bpf_program__name(p)] = {insns, insns + bpf_program__insn_cnt(p) * sizeof(bpf_insn)};
  }
  return out;
}

std::string tool(const std::vector<std::string>& argv) {
  RunResult r = run(argv);
  EXPECT_EQ(r.exit_code, 0) << argv[0] << " " << argv[1] << ": " << r.err;
  return r.out;
}

// The kernel verifies the object's BTF when the programs load.
void expect_kernel_loads(const fs::path& object) {
  fs::path pin = fs::path("/sys/fs/bpf") / ("ecc-add-types-" + std::to_string(getpid()));
  RunResult r = run({"bpftool", "prog", "loadall", object.string(), pin.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(pin / "handle"));
  std::error_code ec;
  fs::remove_all(pin, ec);
}

class AddTypes : public testing::Test {
 protected:
  void SetUp() override {
    write_text(dir / "rich.h", kHeader);
    object = compile_bpf(dir, "prog", kProgram);
    probe_object = compile_bpf(dir, "probe", kProbe);
    probe = read_object(read_bytes(probe_object), "probe_bpf", probe_object.string()).types;
    // Clang's layouts: what the scan hands over, with no BTF ids.
    for (TypeId id = 1; id < probe.size(); ++id) probe.at(id).btf_id = 0;
    wanted = {require(probe, TypeKind::Struct, "rich"), require(probe, TypeKind::Typedef, "anon_t"),
              require(probe, TypeKind::Struct, "hooks")};
    injected = dir / "injected.bpf.o";
    fs::copy_file(object, injected);
  }

  size_t inject() { return add_missing_types_to_object(injected.string(), probe, wanted); }

  TempDir dir;
  fs::path object, probe_object, injected;
  TypeTable probe;
  std::vector<TypeId> wanted;
};

TEST_F(AddTypes, LocalOnlyTypesGetABtfIdWithClangsLayout) {
  Skeleton before = read_object(read_bytes(object), "prog_bpf", object.string());
  ASSERT_FALSE(before.types.find(TypeKind::Struct, "rich")) << "the program's BTF already has it: no test";
  ASSERT_FALSE(before.types.find(TypeKind::Typedef, "anon_t"));
  ASSERT_FALSE(before.types.find(TypeKind::Struct, "hooks"));
  EXPECT_GT(inject(), 0u);

  Skeleton after = read_object(read_bytes(injected), "prog_bpf", injected.string());
  std::vector<TypeId> memo;
  for (TypeId w : wanted) {
    const Type& t = probe.at(w);
    SCOPED_TRACE(t.name);
    std::optional<TypeId> in_btf = after.types.find(t.kind, t.name);
    ASSERT_TRUE(in_btf);
    EXPECT_NE(after.types.at(*in_btf).btf_id, 0u);
    TypeId clang = copy_type(probe, w, after.types, memo);
    EXPECT_EQ(compare_layouts(after.types, clang, *in_btf), std::nullopt);
    EXPECT_EQ(after.types.spell(*in_btf), probe.spell(w));
  }
  // Member by member, the spellings and bit positions Clang gave them.
  TypeId rich = *after.types.find(TypeKind::Struct, "rich");
  const Type& p = probe.at(wanted[0]);
  const Type& r = after.types.at(rich);
  ASSERT_EQ(r.members.size(), p.members.size());
  for (size_t i = 0; i < p.members.size(); ++i) {
    SCOPED_TRACE(p.members[i].name);
    EXPECT_EQ(r.members[i].name, p.members[i].name);
    EXPECT_EQ(r.members[i].bit_offset, p.members[i].bit_offset);
    EXPECT_EQ(r.members[i].bit_size, p.members[i].bit_size);
    EXPECT_EQ(after.types.spell(r.members[i].type), probe.spell(p.members[i].type));
  }
  EXPECT_EQ(after.types.spell(member(after.types, rich, "next").type), "struct rich *");
  TypeId hooks = *after.types.find(TypeKind::Struct, "hooks");
  EXPECT_EQ(after.types.spell(member(after.types, hooks, "cb").type), "void (*)(int, char *)");
  TypeId color = *after.types.find(TypeKind::Enum, "color");
  ASSERT_EQ(after.types.at(color).values.size(), 3u);
  EXPECT_EQ(after.types.at(color).values[2].value, -1);
}

TEST_F(AddTypes, PaholePrintsTheSameLayoutAsForClangsOwnBtf) {
  inject();
  for (const char* name : {"rich", "anon_t", "point", "color", "hooks"}) {
    SCOPED_TRACE(name);
    std::string ours = tool({"pahole", "-C", name, injected.string()});
    std::string clangs = tool({"pahole", "-C", name, probe_object.string()});
    EXPECT_FALSE(ours.empty());
    EXPECT_EQ(ours, clangs);
  }
  PaholeType p = parse_pahole(tool({"pahole", "-C", "rich", injected.string()}));
  ASSERT_EQ(p.members.size(), probe.at(wanted[0]).members.size());
  const PaholeMember& level = p.members[2];
  EXPECT_EQ(level.name, "level");
  EXPECT_EQ(level.bit_size, 5u);
  EXPECT_EQ(level.offset * 8 + level.bit, 43u);
  const PaholeMember& anon = p.members[5];
  EXPECT_EQ(anon.name, "");
  EXPECT_EQ(anon.offset, 28u);
  ASSERT_EQ(anon.members.size(), 3u);
  EXPECT_EQ(anon.members[2].name, "parts");
}

TEST_F(AddTypes, OnlyBtfGrowsAndExistingIdsAndStringsStay) {
  auto old_sections = sections(object);
  auto old_insns = instructions(object);
  Skeleton old_skel = read_object(read_bytes(object), "prog_bpf", object.string());
  inject();
  auto new_sections = sections(injected);

  ASSERT_EQ(old_sections.size(), new_sections.size());
  for (const auto& [name, bytes] : old_sections) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(new_sections.count(name));
    if (name == ".BTF") continue;
    EXPECT_TRUE(new_sections[name] == bytes) << "section changed";
  }
  // Old types and strings are prefixes of the new ones.
  const std::vector<uint8_t>& ob = old_sections[".BTF"];
  const std::vector<uint8_t>& nb = new_sections[".BTF"];
  EXPECT_GT(nb.size(), ob.size());
  btf_header oh, nh;
  std::memcpy(&oh, ob.data(), sizeof oh);
  std::memcpy(&nh, nb.data(), sizeof nh);
  EXPECT_GT(nh.type_len, oh.type_len);
  EXPECT_TRUE(std::equal(ob.begin() + oh.hdr_len + oh.type_off, ob.begin() + oh.hdr_len + oh.type_off + oh.type_len,
                         nb.begin() + nh.hdr_len + nh.type_off));
  EXPECT_TRUE(std::equal(ob.begin() + oh.hdr_len + oh.str_off, ob.begin() + oh.hdr_len + oh.str_off + oh.str_len,
                         nb.begin() + nh.hdr_len + nh.str_off));

  EXPECT_EQ(instructions(injected), old_insns);
  Skeleton new_skel = read_object(read_bytes(injected), "prog_bpf", injected.string());
  ASSERT_EQ(new_skel.maps.size(), old_skel.maps.size());
  for (size_t i = 0; i < old_skel.maps.size(); ++i) {
    EXPECT_EQ(new_skel.maps[i].name, old_skel.maps[i].name);
    EXPECT_EQ(new_skel.maps[i].type, old_skel.maps[i].type);
    EXPECT_EQ(new_skel.maps[i].value_size, old_skel.maps[i].value_size);
    EXPECT_EQ(new_skel.maps[i].max_entries, old_skel.maps[i].max_entries);
  }
  ASSERT_EQ(new_skel.data_sections.size(), old_skel.data_sections.size());
  for (size_t i = 0; i < old_skel.data_sections.size(); ++i) {
    const DataSection& o = old_skel.data_sections[i];
    const DataSection& n = new_skel.data_sections[i];
    EXPECT_EQ(n.name, o.name);
    EXPECT_EQ(n.size, o.size);
    ASSERT_EQ(n.variables.size(), o.variables.size());
    for (size_t v = 0; v < o.variables.size(); ++v) {
      EXPECT_EQ(n.variables[v].name, o.variables[v].name);
      EXPECT_EQ(n.variables[v].type, o.variables[v].type);
      EXPECT_EQ(n.variables[v].offset, o.variables[v].offset);
    }
  }
  // Every old type keeps its id.
  for (TypeId id = 1; id < old_skel.types.size(); ++id) {
    EXPECT_EQ(new_skel.types.at(id).name, old_skel.types.at(id).name) << id;
    EXPECT_EQ(new_skel.types.at(id).kind, old_skel.types.at(id).kind) << id;
  }
}

TEST_F(AddTypes, ReusesWhatTheBtfHasAndAddsNothingTwice) {
  size_t before = btf_type_count(sections(object)[".BTF"]);
  size_t added = inject();
  EXPECT_EQ(btf_type_count(sections(injected)[".BTF"]), before + added);
  BtfRaw raw = parse_btf_raw(tool({"bpftool", "btf", "dump", "file", injected.string()}));
  std::map<std::string, int> named;
  for (const auto& [id, e] : raw.types)
    if (e.name != "(anon)") ++named[e.kind + " " + e.name];
  for (const auto& [what, n] : named) EXPECT_EQ(n, 1) << what;
  // `int` and `char` came with the program: reused, not added again.
  EXPECT_EQ(named["INT int"], 1);
  EXPECT_EQ(named["INT char"], 1);

  std::vector<uint8_t> once = read_bytes(injected);
  EXPECT_EQ(inject(), 0u) << "a second pass finds every type";
  EXPECT_TRUE(read_bytes(injected) == once);
}

TEST_F(AddTypes, WideAndSignedEnums) {
  TypeTable tt;
  auto make_enum = [&](const char* name, uint32_t size, bool is_signed, std::vector<EnumValue> values) {
    return tt.add({.kind = TypeKind::Enum, .name = name, .size = size, .align = size, .is_signed = is_signed,
                   .values = std::move(values)});
  };
  TypeId wide = make_enum("wide", 8, true, {{"W_SMALL", 1}, {"W_BIG", int64_t{1} << 40}, {"W_NEG", -5}});
  TypeId small = make_enum("small", 4, true, {{"S_NEG", -1}, {"S_TOP", 0x7fffffff}});
  TypeId fits = make_enum("fits64", 8, false, {{"F_ONE", 1}});
  std::vector<TypeId> all = {wide, small, fits};
  ASSERT_GT(add_missing_types_to_object(injected.string(), tt, all), 0u);
  Skeleton s = read_object(read_bytes(injected), "prog_bpf", injected.string());
  for (TypeId id : all) {
    const Type& want = tt.at(id);
    SCOPED_TRACE(want.name);
    std::optional<TypeId> got = s.types.find(TypeKind::Enum, want.name);
    ASSERT_TRUE(got);
    EXPECT_EQ(s.types.at(*got).size, want.size);
    ASSERT_EQ(s.types.at(*got).values.size(), want.values.size());
    for (size_t i = 0; i < want.values.size(); ++i) {
      EXPECT_EQ(s.types.at(*got).values[i].name, want.values[i].name);
      EXPECT_EQ(s.types.at(*got).values[i].value, want.values[i].value);
    }
  }
  BtfRaw raw = parse_btf_raw(tool({"bpftool", "btf", "dump", "file", injected.string()}));
  EXPECT_EQ(raw.types.at(*raw.find_record_or_enum("wide")).kind, "ENUM64");
  ECC_REQUIRE_KERNEL_OR_SKIP();
  expect_kernel_loads(injected);
}

TEST_F(AddTypes, BpftoolAndTheKernelAcceptTheObject) {
  inject();
  EXPECT_NE(tool({"bpftool", "btf", "dump", "file", injected.string()}).find("STRUCT 'rich'"), std::string::npos);
  ECC_REQUIRE_KERNEL_OR_SKIP();
  expect_kernel_loads(injected);
}

TEST_F(AddTypes, ErrorsNameTheObject) {
  fs::path junk = dir / "junk.o";
  write_text(junk, "not an ELF file");
  try {
    add_missing_types_to_object(junk.string(), probe, wanted);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(e.line().find("junk.o"), std::string::npos) << e.line();
  }
  std::vector<uint8_t> garbage(64, 0xab);
  try {
    add_missing_types(garbage, probe, wanted, "x.bpf.o");
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(e.line().find(".BTF"), std::string::npos) << e.line();
    EXPECT_NE(e.line().find("x.bpf.o"), std::string::npos) << e.line();
  }
}

// Through the built ecc: the scan's Clang layouts, packaged. Each export
// type's type_id names it in the packaged object's BTF, and pahole prints
// it there as it does for clang's own BTF of a global of that type.
void expect_type_ids_in_object(const EccRun& r, const fs::path& oracle_object) {
  ASSERT_EQ(r.result.exit_code, 0) << r.result.err;
  OJson meta = OJson::parse(read_text(r.skel_json()));
  BtfRaw btf = parse_btf_raw(tool({"bpftool", "btf", "dump", "file", r.object().string()}));
  ASSERT_FALSE(meta.at("export_types").empty());
  for (const OJson& t : meta.at("export_types")) {
    std::string name = t.at("name");
    SCOPED_TRACE(name);
    ASSERT_TRUE(t.contains("type_id"));
    EXPECT_EQ(std::optional<uint32_t>(t.at("type_id").get<uint32_t>()), btf.find_record_or_enum(name));
    if (name != "hooks") {
      PaholeType p = parse_pahole(tool({"pahole", "-C", name, r.object().string()}));
      if (!p.is_enum) {
        EXPECT_EQ(p.members.size(), t.at("members").size());
      }
    }
    if (!oracle_object.empty()) {
      EXPECT_EQ(tool({"pahole", "-C", name, r.object().string()}),
                tool({"pahole", "-C", name, oracle_object.string()}));
    }
  }
}

TEST(EccAddTypes, LocalOnlyExampleTypesGetTypeIds) {
  SKELGEN_REQUIRE_KERNEL_BTF_OR_SKIP();
  for (const char* name : {"sigsnoop", "bootstrap"}) {
    SCOPED_TRACE(name);
    auto r = run_ecc({name, source_dir() / "examples" / name});
    // The program only fills a local event: clang's BTF (which ends with
    // the DATASECs) lacks it, ecc appended it.
    BtfRaw raw = parse_btf_raw(tool({"bpftool", "btf", "dump", "file", r->object().string()}));
    std::optional<uint32_t> id = raw.find_record_or_enum("event");
    ASSERT_TRUE(id);
    uint32_t last_datasec = 0;
    for (const auto& [i, e] : raw.types)
      if (e.kind == "DATASEC") last_datasec = std::max(last_datasec, i);
    EXPECT_GT(*id, last_datasec) << "not appended after the program's own types";
    expect_type_ids_in_object(*r, {});
  }
}

TEST(EccAddTypes, EveryShapeOfMemberThroughEcc) {
  SKELGEN_REQUIRE_KERNEL_BTF_OR_SKIP();
  TempDir dir;
  fs::create_directories(dir / "rich");
  write_text(dir / "rich" / "rich.h", kHeader);
  write_text(dir / "rich" / "rich.bpf.c", kProgram);
  write_text(dir / "rich.h", kHeader);
  fs::path probe = compile_bpf(dir, "probe", kProbe);
  auto r = run_ecc({"rich", dir / "rich"});
  expect_type_ids_in_object(*r, probe);
  OJson meta = OJson::parse(read_text(r->skel_json()));
  std::vector<std::string> names;
  for (const OJson& t : meta.at("export_types")) names.push_back(t.at("name"));
  EXPECT_EQ(names, (std::vector<std::string>{"color", "point", "anon_t", "rich", "hooks"}));
}

// -v shows the step as a comment line of its own, between link and read.
TEST(EccAddTypes, VerboseShowsTheStep) {
  SKELGEN_REQUIRE_KERNEL_BTF_OR_SKIP();
  TempDir dir;
  fs::path ex = source_dir() / "examples" / "sigsnoop";
  RunResult r = run({ecc_binary().string(), "-v", "-o", dir.path().string(), (ex / "sigsnoop.bpf.c").string(),
                     (ex / "sigsnoop.h").string()},
                    {"XDG_CACHE_HOME=" + (dir / "cache").string(), "ECC_CACHE_WARM=off"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  size_t link = r.err.find("\n# link "), add = r.err.find("\n# add the export types missing from the BTF of "),
         read = r.err.find("\n# read maps");
  ASSERT_NE(add, std::string::npos) << r.err;
  EXPECT_LT(link, add);
  EXPECT_LT(add, read);
}

}  // namespace
}  // namespace ecc::test
