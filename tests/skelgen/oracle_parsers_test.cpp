// The oracle readers on captured tool output, so that an oracle test can
// only pass because the tools agree, never because a reader saw nothing.
#include <gtest/gtest.h>

#include "oracle_parsers.h"

namespace ecc::test {
namespace {

// pahole 1.24 -C on a struct with an anonymous struct/union and bitfields,
// including the stray anonymous bodies it prints with relative offsets.
constexpr const char* kPahole = R"(struct ev {
	unsigned long long         ts;                   /*     0     8 */
	struct {
		unsigned int       pid;                  /*     8     4 */
		unsigned int       tid;                  /*    12     4 */
	} task;                                          /*     8     8 */
	struct {
		unsigned int               pid;                  /*     0     4 */
		unsigned int               tid;                  /*     4     4 */

		/* size: 8, cachelines: 1, members: 2 */
	};

	union {
		int                ret;                  /*    16     4 */
		unsigned int       raw_ret;              /*    16     4 */
	};                                               /*    16     4 */
	unsigned int               dfd_low:12;           /*    20: 4  4 */
	/* --- cacheline 1 boundary (64 bytes) --- */
	char                       name[64];             /*    24    64 */
	const char  *              label;                /*    88     8 */

	/* size: 96, cachelines: 2, members: 6 */
};
)";

TEST(PaholeParser, MembersNestedBlocksAndBitfields) {
  PaholeType t = parse_pahole(kPahole);
  ASSERT_FALSE(t.is_enum);
  ASSERT_EQ(t.members.size(), 6u);
  EXPECT_EQ(t.members[1].name, "task");
  EXPECT_EQ(t.members[1].offset, 8u);
  ASSERT_EQ(t.members[1].members.size(), 2u);
  EXPECT_EQ(t.members[1].members[1].name, "tid");
  EXPECT_EQ(t.members[1].members[1].offset, 12u);
  EXPECT_EQ(t.members[2].name, "");
  EXPECT_EQ(t.members[2].members.size(), 2u);
  EXPECT_EQ(t.members[3].name, "dfd_low");
  EXPECT_EQ(t.members[3].offset, 20u);
  EXPECT_EQ(t.members[3].bit, 4u);
  EXPECT_EQ(t.members[3].bit_size, 12u);
  EXPECT_EQ(t.members[4].name, "name");
  EXPECT_EQ(t.members[4].size, 64u);
  EXPECT_EQ(t.members[5].name, "label");
  EXPECT_EQ(t.members[5].offset, 88u);
}

TEST(PaholeParser, EnumAndTypedef) {
  PaholeType e = parse_pahole("enum phase {\n\tPHASE_FAILED = -1,\n\tPHASE_ENTER  = 1,\n};\n");
  ASSERT_TRUE(e.is_enum);
  EXPECT_EQ(e.enum_values, (std::vector<std::pair<std::string, int64_t>>{{"PHASE_FAILED", -1}, {"PHASE_ENTER", 1}}));
  PaholeType td = parse_pahole("typedef struct {\n\tunsigned int pid; /* 0 4 */\n} row_t;\n");
  ASSERT_EQ(td.members.size(), 1u);
  EXPECT_EQ(td.members[0].name, "pid");
  EXPECT_THROW(parse_pahole("pahole: type 'x' not found\n"), std::runtime_error);
}

TEST(BtfRawParser, DatasecsAndTypedefs) {
  BtfRaw b = parse_btf_raw(
      "[1] INT 'int' size=4 bits_offset=0 nr_bits=32 encoding=SIGNED\n"
      "[2] STRUCT '(anon)' size=8 vlen=1\n"
      "\t'pid' type_id=1 bits_offset=0\n"
      "[3] TYPEDEF 'row_t' type_id=2\n"
      "[4] VAR 'g' type_id=1, linkage=global\n"
      "[5] VAR 's' type_id=1, linkage=static\n"
      "[6] DATASEC '.bss' size=0 vlen=2\n"
      "\ttype_id=4 offset=8 size=4 (VAR 'g')\n"
      "\ttype_id=5 offset=12 size=4 (VAR 's')\n"
      "[7] ENUM 'phase' encoding=SIGNED size=4 vlen=1\n"
      "\t'A' val=1\n");
  ASSERT_EQ(b.datasecs[".bss"].size(), 2u);
  EXPECT_EQ(b.datasecs[".bss"][0].offset, 8u);
  EXPECT_EQ(b.datasecs[".bss"][1].name, "s");
  EXPECT_EQ(b.types.at(5).attrs.at("linkage"), "static");
  EXPECT_EQ(b.find_record_or_enum("row_t"), 2u);
  EXPECT_EQ(b.find_record_or_enum("phase"), 7u);
  EXPECT_EQ(b.types.at(2).attrs.at("size"), "8");
  EXPECT_FALSE(b.find_record_or_enum("int"));
}

TEST(BpftoolSkeletonParser, BlocksAndNames) {
  BpftoolSkeleton s = parse_bpftool_skeleton(
      "struct x_bpf {\n\tstruct bpf_object_skeleton *skeleton;\n\tstruct bpf_object *obj;\n"
      "\tstruct {\n\t\tstruct bpf_map *events;\n\t\tstruct bpf_map *rodata;\n\t} maps;\n"
      "\tstruct {\n\t\tstruct bpf_program *handle;\n\t} progs;\n"
      "\tstruct {\n\t\tstruct bpf_link *handle;\n\t} links;\n};\n"
      "\ts->maps[0].name = \"events\";\n\ts->maps[0].map = &obj->maps.events;\n"
      "\ts->maps[1].name = \"x_bpf.rodata\";\n\ts->maps[1].map = &obj->maps.rodata;\n"
      "\ts->maps[1].mmaped = (void **)&obj->rodata;\n"
      "\ts->progs[0].name = \"handle\";\n");
  EXPECT_EQ(s.map_idents, (std::vector<std::string>{"events", "rodata"}));
  EXPECT_EQ(s.prog_idents, (std::vector<std::string>{"handle"}));
  ASSERT_EQ(s.maps.size(), 2u);
  EXPECT_EQ(s.maps[1].name, "x_bpf.rodata");
  EXPECT_EQ(s.maps[1].ident, "rodata");
  EXPECT_TRUE(s.maps[1].mmaped);
  EXPECT_FALSE(s.maps[0].mmaped);
  EXPECT_EQ(s.prog_names, (std::vector<std::string>{"handle"}));
}

}  // namespace
}  // namespace ecc::test
