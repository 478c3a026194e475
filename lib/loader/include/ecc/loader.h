// The runner's loader: package.json -> a loaded, attached BPF object whose
// events and sampled maps are printed (docs/ecli.md). Errors are ecc::Error:
// bad_input for a bad package or option value, usage for an unknown program
// option, tool_failed when the kernel refuses to load or attach.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ecc/cmdline.h"
#include "ecc/codec.h"
#include "ecc/error.h"
#include "ecc/model.h"

namespace ecc {
class OpenedObject;
}

namespace ecc::metrics {
class Exporter;
}

namespace ecc::loader {

// --- decoding (decode.cpp) -------------------------------------------------

// The bpf_object's base64 and zlib: ecc::base64_decode, ecc::zlib_inflate.

// A decoded package: its meta, the ELF bytes, and the object read into the
// model (table id == BTF id for the object's types) with the meta applied:
// docs and typed annotations, export types (Skeleton::export_types) and the
// event type of every ring buffer and perf event array. Every name the meta
// gives (maps, export types) has been checked against the object.
struct Package {
  std::string path;
  // The program's name (the metrics' `program` label): the object's name
  // without "_bpf", a gadget's gadget.yaml name; empty: not known.
  std::string name;
  Json meta;
  std::vector<uint8_t> elf;
  Skeleton object;
  // `object` as libbpf opened it for the model: the run takes it rather
  // than open `elf` again (once: a copy of the package shares it).
  std::shared_ptr<OpenedObject> opened;
  std::string btf_archive;  // the JSON text of "btf_archive" (ecc --btfgen), empty without
  // How tables show records: a gadget's nested records flattened into
  // columns, and gadget.yaml's column attributes by "<struct>.<field>".
  struct ColumnStyle {
    bool hidden = false;
    uint32_t width = 0;
    bool align_right = false;
  };
  bool flatten_tables = false;
  // Snapshots (a gadget's snapshotters): iterator programs whose output,
  // records of `type`, is printed once as one table; then the run ends.
  struct Snapshot {
    std::string name;
    TypeId type = 0;
    std::vector<std::string> programs;
  };
  std::vector<Snapshot> snapshots;
  std::map<std::string, ColumnStyle> columns;
  std::string kind = "package";  // what it was read from, for messages: "package", "gadget"
};

Package decode_package(std::string_view text, const std::string& path);
Package read_package(const std::string& path);

// --- event layouts (layout.cpp) ----------------------------------------------

// One field of a decoded record: a tree with offsets relative to its record.
struct Field {
  enum class Kind { Int, Bool, Char, String, Float, Enum, Array, Record, Raw };
  Kind kind = Kind::Raw;
  std::string name;
  uint32_t offset = 0;      // bytes from the start of the enclosing record
  uint32_t size = 0;        // bytes
  uint32_t bit_offset = 0;  // bitfields: bits from `offset`
  uint32_t bit_size = 0;    // non-zero for bitfields
  bool is_signed = false;
  uint32_t count = 0;       // Array: number of elements (element is children[0])
  std::vector<Field> children;  // Record members; Array element
  std::vector<EnumValue> values;  // Enum
  // How the value prints beyond its kind: Inspektor Gadget's typedefs and
  // structs (docs/gadget.md), decided from the type's name by layout_of.
  enum class Format : uint8_t {
    plain,
    timestamp,     // gadget_timestamp: ns since boot -> "2026-12-05T07:30:16.123456789Z"
    errno_name,    // gadget_errno -> "ENOENT"
    signal_name,   // gadget_signal -> "SIGKILL"
    syscall_name,  // gadget_syscall -> "SYS_OPENAT"
    file_mode,     // gadget_file_mode -> "-rw-r--r--"
    file_flags,    // gadget_file_flags -> "O_RDONLY|O_CLOEXEC"
    flag_set,      // an enum named *_set -> "FOO|BAR"
    l3endpoint,    // struct gadget_l3endpoint_t -> "10.0.0.1"
    l4endpoint,    // struct gadget_l4endpoint_t -> "10.0.0.1:80"
  };
  Format format = Format::plain;
  // The name the formatted value goes under when it is not `name`: a
  // formatted field "x_raw" shows as "x", and JSON has both.
  std::string target;
  // Table column attributes (gadget.yaml): hidden, a fixed width, right-aligned.
  bool hidden = false;
  uint32_t width = 0;
  bool align_right = false;
};

// The layout of type `id` in `types`.
Field layout_of(const TypeTable& types, TypeId id, const std::string& name = {});
// The layout of an event or map type for printing: layout_of() with the
// package's column attributes applied.
Field print_layout(const Package& pkg, TypeId id);

// --- formatting (format.cpp) -------------------------------------------------

// The value of `f` in `data` (the enclosing record) as JSON: integers,
// booleans, strings up to the NUL, enum names, arrays and objects.
Json decode(const Field& f, std::span<const uint8_t> data);
// The JSON text of a record straight from its bytes (no Json values built:
// this is the per-event path), appended to `out`.
void append_json(std::string& out, const Field& f, std::span<const uint8_t> data);
// The same as text: a scalar as-is, strings unquoted, aggregates as JSON;
// the second form into `out` (its buffer kept: the per-event path).
std::string decode_text(const Field& f, std::span<const uint8_t> data);
void decode_text(std::string& out, const Field& f, std::span<const uint8_t> data);
// The value as a number: integers, booleans (0, 1) and floats; 0 for
// anything else (a string, an enum's name, an aggregate, a short record).
double decode_number(const Field& f, std::span<const uint8_t> data);

// An aligned table of a record's top-level members with a TIME column.
// With `flatten`, members that are records (not formatted ones) give their
// own members as columns, named by the leaf (by "outer.leaf" where two
// leaves share a name). Hidden fields have no column.
class TextTable {
 public:
  explicit TextTable(const Field& record, bool flatten = false);
  std::string header() const;
  std::string row(std::span<const uint8_t> data, const std::string& time) const;

 private:
  struct Column {
    const Field* field;
    uint32_t base;  // offset of the field's enclosing record in the row's record
    std::string title;
    std::string path;  // "outer.leaf" for a flattened member
    size_t width;
  };
  void add_columns(const Field& record, uint32_t base, const std::string& prefix, bool flatten);
  std::vector<Column> columns_;
};

// Formatted fields (Field::format) as text and as JSON: endpoints are
// objects in JSON ({"addr", "port", "proto", "version"}), everything else a
// string. Bytes past `avail` give null.
std::string format_text(const Field& f, const uint8_t* p, size_t avail);
Json format_json(const Field& f, const uint8_t* p, size_t avail);

// --- program options (prog_options.cpp) --------------------------------------

// One settable global variable of a data section: its names and help are
// ecc/program_options.h's rule, the one the app.c gen-wasm-skel writes uses.
struct ProgOption {
  std::string section;      // ".rodata", ".bss", ...
  std::string map_ident;    // internal map ident (rodata, bss, ...)
  std::string var;          // variable name
  std::string long_name;    // without dashes
  std::string short_name;   // one char or empty
  std::string help;
  Json default_value;       // from cmdarg, or null
  uint32_t offset = 0;
  uint32_t size = 0;
  Field type;               // how to parse a value
};

struct ProgSetting {
  const ProgOption* option;
  std::vector<uint8_t> bytes;  // the encoded value, option->size bytes
  std::string text;            // as given (or the default's text)
};

std::vector<ProgOption> program_options(const Package& pkg);
// Where and as what variable `v` of `ds` is set (no names or help): the
// part of a ProgOption every setting needs, also one that is no option.
ProgOption variable_setting(const Package& pkg, const DataSection& ds, const Variable& v);
// The options as a command-line table: -x, --long and --<variable> (where no
// option is named so), a bool a switch that also takes --long=false. Each
// applies `set` with its option and the text given ("true" for a bare bool).
// With `help`, -h and --help apply it. The table refers to `opts`.
using ProgOptionSetter = std::function<void(const ProgOption&, const std::string& text)>;
std::vector<cmdline::Option> program_option_table(const std::vector<ProgOption>& opts, const ProgOptionSetter& set,
                                                  const std::function<void()>& help = {});
// Parses argv (after the package); throws Error(usage) for an unknown option
// or a missing value and Error(bad_input) for a value the type cannot hold.
// Defaults from cmdarg are included. Sets `help` when -h/--help is present.
// `extra` options (not variables: a gadget's Wasm params) are parsed along.
std::vector<ProgSetting> parse_program_args(const std::vector<ProgOption>& opts, const std::vector<std::string>& args,
                                            bool& help, std::vector<cmdline::Option> extra = {});
// Encodes `text` as a value of `opt`'s type (throws Error(bad_input)).
std::vector<uint8_t> encode_value(const ProgOption& opt, const std::string& text);
std::string program_usage(const Package& pkg, const std::vector<ProgOption>& opts,
                          std::vector<cmdline::Option> extra = {});

// --- histograms (histogram.cpp) ----------------------------------------------

// bcc/libbpf-tools style: "     usecs    : count    distribution" rows.
std::string log2_histogram(const std::vector<uint64_t>& slots, const std::string& unit);
std::string linear_histogram(const std::vector<uint64_t>& slots, uint64_t base, uint64_t step, const std::string& unit);

// --- running (runner.cpp) ----------------------------------------------------

// A map entry written after load, before attach (a gadget's mount-namespace filter).
struct MapEntry {
  std::string map;
  std::vector<uint8_t> key, value;
};

// What runs beside the eBPF program at the points of its run: a gadget's
// Wasm layer (docs/gadget.md). Each point may throw Error, which ends the run
// with everything released.
class RunHooks {
 public:
  virtual ~RunHooks() = default;
  virtual void before_load() {}    // opened, settings applied
  virtual void before_attach() {}  // loaded and verified
  virtual void attached() {}       // every program attached
  virtual void stopping() {}       // the run is over: before anything is detached
  // Where program `name` attaches instead of its section's target (a
  // runtime Object::attach_to target); empty: its section's.
  virtual std::string attach_target(const std::string& /*name*/) { return {}; }
};

struct RunOptions {
  bool json = false;
  double duration = 0;          // seconds; 0 = until a signal
  std::string btf_path;         // kernel BTF for CO-RE; empty = running kernel
  bool verbose = false;         // libbpf debug output on stderr
  std::vector<MapEntry> map_entries;
  uint32_t max_rows = 0;        // a `top` sample prints at most this many rows; 0: all
  std::string sort;             // a `top` sample's sort field, "-field" descending; empty: the annotation's
  RunHooks* hooks = nullptr;
  bool quiet = false;                     // -q: no events or samples printed (metrics still see them)
  metrics::Exporter* metrics = nullptr;   // --metrics/--otlp: the run's exporter (docs/metrics.md)
  // ecli's load policy (docs/trust.md): the object's bytes before libbpf
  // opens them; throws Error to refuse.
  std::function<void(const uint8_t* elf, size_t size)> load_check;
};

// Loads, attaches, and streams until `duration` or SIGINT/SIGTERM (a package
// with snapshots prints them once, then returns). Writes
// events to `out` and "<tool>: attached N programs" to stderr (tool_name.h) once attached.
// Returns the exit code: 0 on a clean stop (a signal once attached), 128 +
// the signal number when SIGINT/SIGTERM came while loading or attaching
// (everything acquired so far is released first). tc programs attach as
// tcx links when the kernel has them (ecc/tc_attach.h).
int run_package(const Package& pkg, const std::vector<ProgSetting>& settings, const RunOptions& opts);

}  // namespace ecc::loader
