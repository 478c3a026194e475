// Every bad input gets one clear line, a non-zero exit, and nothing is
// attached: checked through the "attached" readiness line and stdout.
#include <linux/btf.h>
#include <bpf/btf.h>
#include <bpf/libbpf_version.h>

#include <cstring>
#include <memory>

#include "ecc/cache_file.h"
#include "ecc/codec.h"
#include "ecc/files.h"
#include "ecc/elf_file.h"
#include "ecli_fixture.h"

namespace ecc::test {
namespace {

using nlohmann::json;

class EcliBadInput : public EcliTest {
 protected:
  fs::path write_pkg(const json& j, const std::string& name = "bad.json") {
    fs::path p = tmp / name;
    write_text(p, j.dump());
    return p;
  }
  json sigsnoop() { return json::parse(read_text(build_example("sigsnoop"))); }

  // Runs ecli and checks the one-line error naming `file` and containing `what`.
  void expect_error(std::vector<std::string> args, int code, const std::string& what, const std::string& file = {}) {
    RunResult r = ecli(std::move(args));
    EXPECT_EQ(r.exit_code, code) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err.find("attached"), std::string::npos) << r.err;
    auto lines = split_lines(r.err);
    ASSERT_FALSE(lines.empty());
    const std::string& last = lines.back();
    EXPECT_EQ(last.rfind("ecli: error: ", 0), 0u) << r.err;
    EXPECT_NE(last.find(what), std::string::npos) << r.err;
    if (!file.empty()) {
      EXPECT_NE(last.find("(" + file + ")"), std::string::npos) << r.err;
    }
  }
};

TEST_F(EcliBadInput, NotJson) {
  fs::path p = tmp / "p.json";
  write_text(p, "{ \"bpf_object\": ");
  expect_error({"run", p.string()}, 1, "not a JSON package", p.string());
}

TEST_F(EcliBadInput, MissingFile) {
  expect_error({"run", (tmp / "nope.json").string()}, 1, "cannot read the package");
}

TEST_F(EcliBadInput, NoBpfObject) {
  json j = sigsnoop();
  j.erase("bpf_object");
  fs::path p = write_pkg(j);
  expect_error({"run", p.string()}, 1, "package has no bpf_object", p.string());
}

TEST_F(EcliBadInput, BadBase64) {
  json j = sigsnoop();
  std::string s = j["bpf_object"];
  s[10] = '*';
  j["bpf_object"] = s;
  fs::path p = write_pkg(j);
  expect_error({"run", p.string()}, 1, "not valid base64", p.string());
}

TEST_F(EcliBadInput, SizeMismatch) {
  json j = sigsnoop();
  for (int delta : {-1, 1}) {
    j["bpf_object_size"] = read_bytes(tmp / "sigsnoop" / "sigsnoop.bpf.o").size() + delta;
    fs::path p = write_pkg(j, "size" + std::to_string(delta) + ".json");
    expect_error({"run", p.string()}, 1, "bpf_object_size", p.string());
  }
}

TEST_F(EcliBadInput, NotElf) {
  json j = sigsnoop();
  std::string text = "this is not an ELF file at all";
  std::vector<uint8_t> bytes(text.begin(), text.end());
  j["bpf_object"] = base64_encode(zlib_compress(bytes));
  j["bpf_object_size"] = bytes.size();
  fs::path p = write_pkg(j);
  expect_error({"run", p.string()}, 1, "not an ELF file", p.string());
}

// Where the member `member` of `struct name` keeps its type id in `elf`,
// found with libbpf, which keeps the type section as it read it. Also the
// struct's id and the last type id.
size_t member_type_offset(const std::vector<uint8_t>& elf, const char* name, const char* member, int& id,
                          uint32_t& last) {
  ElfSection sec;
  for (const ElfSection& s : read_elf(elf, "bpf_object").sections)
    if (s.name == ".BTF") sec = s;
  EXPECT_EQ(sec.name, ".BTF");
  std::unique_ptr<struct btf, decltype(&btf__free)> btf(btf__new(elf.data() + sec.offset, sec.size), btf__free);
  if (!btf) return 0;
  id = btf__find_by_name_kind(btf.get(), name, BTF_KIND_STRUCT);
  last = btf__type_cnt(btf.get()) - 1;
  const struct btf_type* t = btf__type_by_id(btf.get(), id);
  const struct btf_member* m = btf_members(t);
  for (uint16_t i = 0; i < btf_vlen(t); ++i, ++m) {
    if (std::strcmp(btf__name_by_offset(btf.get(), m->name_off), member) != 0) continue;
    auto types = reinterpret_cast<const uint8_t*>(btf__type_by_id(btf.get(), 1));
    btf_header h;
    std::memcpy(&h, elf.data() + sec.offset, sizeof h);
    return sec.offset + h.hdr_len + h.type_off + (reinterpret_cast<const uint8_t*>(&m->type) - types);
  }
  ADD_FAILURE() << "no member " << member;
  return 0;
}

// BTF damaged where libbpf does not look, with base64, zlib and the size
// right: one line naming the type and the member, not an internal error.
TEST_F(EcliBadInput, DamagedBtfTypeId) {
  json j = sigsnoop();
  std::vector<uint8_t> elf =
      zlib_inflate(base64_decode(j["bpf_object"].get<std::string>()), j["bpf_object_size"].get<size_t>());
  int event = 0;
  uint32_t last = 0;
  size_t at = member_type_offset(elf, "event", "comm", event, last);
  ASSERT_GT(at, 0u);
  const uint32_t bad = 6684690;
  ASSERT_GT(bad, last);
  std::memcpy(elf.data() + at, &bad, sizeof bad);
  j["bpf_object"] = base64_encode(zlib_compress(elf));
  fs::path p = write_pkg(j);
  RunResult r = ecli({"run", p.string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "ecli: error: BTF type " + std::to_string(event) +
                       " (struct event) member 'comm' refers to type 6684690, past the last type " +
                       std::to_string(last) + " (" + p.string() + ")\n");
}

TEST_F(EcliBadInput, MetaNamesAMissingMap) {
  json j = sigsnoop();
  j["meta"]["bpf_skel"]["maps"].push_back({{"name", "no_such_map"}, {"ident", "no_such_map"}});
  fs::path p = write_pkg(j);
  expect_error({"run", p.string()}, 1, "map 'no_such_map'", p.string());
}

TEST_F(EcliBadInput, MetaNamesAMissingExportType) {
  json j = json::parse(read_text(build_example("runqlat")));
  ASSERT_TRUE(j["meta"]["export_types"][0].contains("type_id"));
  json by_id = j;
  by_id["meta"]["export_types"][0]["type_id"] = 99999;
  fs::path p = write_pkg(by_id, "id.json");
  expect_error({"run", p.string()}, 1, "export type 'hist' (type_id 99999)", p.string());
  json by_name = j;
  by_name["meta"]["export_types"][0]["name"] = "not_in_btf";
  p = write_pkg(by_name, "name.json");
  expect_error({"run", p.string()}, 1, "export type 'not_in_btf'", p.string());
  json bare = sigsnoop();
  bare["meta"]["export_types"][0] = json{{"name", "bare"}, {"size", 4}};
  p = write_pkg(bare, "bare.json");
  expect_error({"run", p.string()}, 1, "export type 'bare' is not in the BPF object's BTF and has no members",
               p.string());
}

// A hand-edited @metric (docs/annotations.md#metric) is checked as ecc checks
// it: one line naming the struct, the member and the package.
TEST_F(EcliBadInput, MalformedMetricNamesTheMember) {
  json j = sigsnoop();
  ASSERT_EQ(j["meta"]["export_types"][0]["name"], "event");
  for (auto& m : j["meta"]["export_types"][0]["members"])
    if (m["name"] == "comm") m["metric"] = "counter";
  fs::path p = write_pkg(j);
  RunResult r = ecli({"run", p.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "ecli: error: struct event member 'comm': @metric counter needs a numeric member, not char[16] (" +
                       p.string() + ")\n");
}

TEST_F(EcliBadInput, UnknownProgramOption) {
  fs::path p = build_example("sigsnoop");
  expect_error({"run", p.string(), "--no-such-option", "1"}, 2, "unknown program option '--no-such-option'");
  expect_error({"run", p.string(), "-q"}, 2, "unknown program option '-q'");
  expect_error({"run", p.string(), "--pid"}, 2, "option '--pid' needs a value");
  expect_error({"run", "--bogus", p.string()}, 2, "unknown option '--bogus'");
  expect_error({"run", "--wakeup-batch", "1ms", p.string()}, 2,
               "--wakeup-batch needs a whole number up to 1000000, not '1ms'");
  expect_error({"run", "--wakeup-batch", "1000001", p.string()}, 2, "--wakeup-batch needs a whole number");
}

TEST_F(EcliBadInput, OutOfRangeValue) {
  fs::path p = build_example("sigsnoop");
  expect_error({"run", p.string(), "--pid", "2147483648"}, 1, "out of range for a signed 32-bit integer");
  expect_error({"run", p.string(), "-s", "0x100000000"}, 1, "out of range");
  expect_error({"run", p.string(), "--signal=ten"}, 1, "not an integer");
  expect_error({"run", p.string(), "--failed=maybe"}, 1, "not a boolean");
  fs::path b = build_example("bootstrap");  // unsigned long long min_duration_ns
  expect_error({"run", b.string(), "-d", "-1"}, 1, "negative for an unsigned integer");
  expect_error({"run", b.string(), "-d", "18446744073709551616"}, 1, "not an integer");
}

TEST_F(EcliBadInput, VerifierRejectionPrintsTheLogTail) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path p = build_package(source_dir() / "tests/ecli/programs/oob.bpf.c");
  RunResult r = ecli({"run", "-d", "2", p.string()});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.err.find("attached"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("invalid access to map value"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("ecli: error: the kernel refused the BPF object"), std::string::npos) << r.err;
  // A tail, not the whole log.
  auto start = r.err.find("last 20 lines");
  ASSERT_NE(start, std::string::npos) << r.err;
  EXPECT_LE(split_lines(r.err.substr(start)).size(), 23u) << r.err;
  // Every libbpf message starts a line of its own (the verifier log has no
  // final newline: it used to run into the next message, "...prolibbpf:").
  for (const auto& line : split_lines(r.err))
    EXPECT_TRUE(line.find("libbpf:") == std::string::npos || line.rfind("libbpf:", 0) == 0 ||
                line.rfind("ecli: libbpf output", 0) == 0)
        << line;
}

TEST_F(EcliBadInput, PreZeroThreeLayoutIsRefused) {
  fs::path p = write_pkg(json{{"data", "eJzLSM3JyQcABiwCFQ=="}, {"data_sz", 5}, {"meta", json::object()}});
  expect_error({"run", p.string()}, 1, "pre-0.3 eunomia-bpf layout (top-level data/data_sz)", p.string());
}

TEST_F(EcliBadInput, HugeObjectSizeIsAClearError) {
  json j = sigsnoop();
  j["bpf_object_size"] = 1ull << 40;
  fs::path p = write_pkg(j);
  expect_error({"run", p.string()}, 1, "bpf_object_size 1099511627776 is over the limit of 256 MiB", p.string());
}

// A package whose ELF bytes were damaged at random (from a mutation run): libbpf
// 1.1 crashes opening it, ecli must not.
TEST_F(EcliBadInput, DamagedElfIsAnErrorNotACrash) {
  fs::path p = source_dir() / "tests/ecli/inputs/damaged_elf_package.json";
  RunResult r = ecli({"run", "-d", "1", p.string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto lines = split_lines(r.err);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().rfind("ecli: error: ", 0), 0u) << r.err;
  EXPECT_NE(lines.back().find("(" + p.string() + ")"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("internal"), std::string::npos) << r.err;
}

// The object of a package, as ecli decodes it.
std::vector<uint8_t> object_of(const json& pkg) {
  return zlib_inflate(base64_decode(pkg["bpf_object"].get<std::string>()), pkg["bpf_object_size"].get<size_t>());
}

// ecli run keeps a copy of each object that survived the open guard
// (docs/cache.md, the open guard): never one that crashed libbpf, and only
// the same bytes skip the child, not an entry of the same name.
TEST_F(EcliBadInput, TheOpenGuardKeepsSurvivorsOnlyAndTrustsOnlyTheirBytes) {
  auto entry = [](const std::vector<uint8_t>& elf) {
    return cache() / "ecc" / "open-guard" /
           ("libbpf-" + std::to_string(LIBBPF_MAJOR_VERSION) + "." + std::to_string(LIBBPF_MINOR_VERSION) + "-" +
            hash_hex(elf) + ".o");
  };
  auto run = [](const fs::path& pkg) {
    return EcliProcess(ecli_binary(), {"run", "-d", "1", pkg.string()},
                       {"XDG_CACHE_HOME=" + cache().string(), "PATH=" + std::string(std::getenv("PATH"))})
        .finish(std::chrono::seconds(20));
  };
  fs::path damaged = source_dir() / "tests/ecli/inputs/damaged_elf_package.json";
  fs::path kept_damaged = entry(object_of(json::parse(read_text(damaged))));
  EXPECT_EQ(run(damaged).exit_code, 1);
  EXPECT_FALSE(fs::exists(kept_damaged));
  // A namesake with other bytes, as a hash collision would be.
  fs::create_directories(kept_damaged.parent_path());
  write_text(kept_damaged, "not the object");
  RunResult r = run(damaged);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("libbpf crashes reading it"), std::string::npos) << r.err;
  // A survivor is kept byte for byte, whether or not the kernel loads it then.
  fs::path good = build_example("sigsnoop");
  std::vector<uint8_t> elf = object_of(json::parse(read_text(good)));
  run(good);
  std::optional<std::vector<uint8_t>> kept = try_read_file(entry(elf));
  ASSERT_TRUE(kept.has_value());
  EXPECT_TRUE(*kept == elf);
}

TEST_F(EcliBadInput, UnreadableLayoutsAreOneLine) {
  json base = sigsnoop();
  // A type the BTF lacks, described without member offsets (as eunomia-bpf
  // writes them): nothing to lay it out with.
  json j = base;
  j["meta"]["export_types"] = json::array({json{{"name", "not_in_btf"}, {"size", 8},
                                                {"members", json::array({json{{"name", "a"}, {"type", "int"}}})}}});
  expect_error({"run", write_pkg(j).string()}, 1, "export type 'not_in_btf' member 'a' has no valid 'offset'");
  // A member type that is neither in the BTF nor a C base type.
  j["meta"]["export_types"][0]["members"][0] = json{{"name", "a"}, {"type", "my_secret_t"}, {"offset", 0}, {"size", 8}};
  expect_error({"run", write_pkg(j).string()}, 1,
               "member 'a' has type 'my_secret_t', which is not in the BPF object's BTF and not a C base type");
  // A size the type cannot have.
  j["meta"]["export_types"][0]["members"][0] = json{{"name", "a"}, {"type", "unsigned int"}, {"offset", 0}, {"size", 8}};
  expect_error({"run", write_pkg(j).string()}, 1, "member 'a' is 8 bytes, but type 'unsigned int' is 4");
  j = base;
  j["meta"]["bpf_skel"]["maps"] = "events";
  expect_error({"run", write_pkg(j).string()}, 1, "bpf_skel.maps is not an array");
  j = base;
  j["meta"]["bpf_skel"]["maps"][0]["sample"] = json{{"interval", "x"}};
  expect_error({"run", write_pkg(j).string()}, 1, "@sample.interval is not a non-negative integer: \"x\"");
}


// A bad --btf is named before anything is loaded, for packages and apps alike.
TEST_F(EcliBadInput, BtfFilesThatAreNotBtfSayWhy) {
  fs::path pkg = build_example("sigsnoop");
  fs::path empty = tmp / "empty.btf", garbage = tmp / "garbage.btf", truncated = tmp / "truncated.btf";
  write_text(empty, "");
  write_text(garbage, "this is not BTF\n");
  write_text(truncated, read_text("/sys/kernel/btf/vmlinux").substr(0, 1000));
  expect_error({"run", "--btf", empty.string(), pkg.string()}, 1, "the BTF file is empty", empty.string());
  expect_error({"run", "--btf", garbage.string(), pkg.string()}, 1, "neither raw BTF", garbage.string());
  expect_error({"run", "--btf", truncated.string(), pkg.string()}, 1, "damaged raw BTF (1000 bytes)",
               truncated.string());
  expect_error({"run", "--btf", ecli_binary().string(), pkg.string()}, 1, "an ELF file without a .BTF section",
               ecli_binary().string());
  expect_error({"run", "--btf", (tmp / "missing.btf").string(), (tmp / "app.wasm").string()}, 1,
               "cannot read the BTF file", (tmp / "missing.btf").string());
}

}  // namespace
}  // namespace ecc::test
