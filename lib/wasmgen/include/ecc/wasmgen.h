// Skeleton model -> the WebAssembly guest side in docs/ecc.md: C headers
// (ewasm-skel.h, app.c) and a Rust module, all rendered from templates/.
//
// The emitters only read the model. The one piece of layout work is the plan
// (wasm_layout.h): every export type re-laid for wasm32 with the BPF offsets.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "ecc/model.h"

namespace ecc::wasmgen {

// --- literals ---------------------------------------------------------------

// A C string literal of `s`, split into lines of at most about `width`
// characters ("..."\n\t"..."); every byte that is not printable ASCII is
// escaped so the literal holds exactly the bytes of `s`.
std::string c_string_literal(std::string_view s, size_t width = 100);

// "0x7f, 0x45, ..." in lines of 16 bytes, each line starting with a tab.
std::string c_byte_list(std::span<const uint8_t> bytes);

// --- templates --------------------------------------------------------------

using Vars = std::map<std::string, std::string>;

// Replaces every `{{name}}` with vars[name]. An unknown name or an unclosed
// `{{` throws Error(bad_input, ..., template_file): templates are data that can
// be edited, and a typo must not produce a half-filled file.
std::string render(std::string_view tmpl, const Vars& vars, const std::string& template_file);

// Variables plus repeated sections: `{{#name}}...{{/name}}` renders its text
// once per item of lists[name] (none: nothing, so a list of 0 or 1 items is
// a conditional). Inside, a name is looked up in the item, then outward. A
// newline right after a section tag is dropped, so tags can stand on lines
// of their own. An unknown list or an unclosed section throws like an
// unknown variable.
struct Context {
  Vars vars;
  std::map<std::string, std::vector<Context>> lists;
};
std::string render_context(std::string_view tmpl, const Context& ctx, const std::string& template_file);
// A conditional section's list: one empty item when b, none otherwise.
inline std::vector<Context> when(bool b) { return b ? std::vector<Context>{Context{}} : std::vector<Context>{}; }

// --- emitters ---------------------------------------------------------------

struct GuestInput {
  const Skeleton* skel = nullptr;
  std::span<const uint8_t> elf;        // the linked object
  std::string package_json;            // the text of package.json
  std::string name;                    // "sigsnoop"
  std::string object_file;             // "sigsnoop.bpf.o" (for include_bytes! and comments)
  std::string source_file;             // "sigsnoop.bpf.c" (comments only)
  std::string btf_archive;             // the JSON text of package.json's "btf_archive" (ecc --btfgen), or empty
};

// wasm32 C definitions of every export type (and the types they use), with
// _Static_asserts on size, alignment and every member's offset, plus JSON
// printers `ewasm_json_<type>()` and bitfield accessors.
std::string c_export_types(const Skeleton& skel);

// What every emitter reads (ecc/guest_model.h): build it once with
// guest_model(in) and hand it to each.
struct GuestModel;

// templates/skel.h.in -> <name>.skel.h: the bpftool-shaped skeleton.
Context c_skel_context(const GuestModel& g, const GuestInput& in);
// templates/wasm.h.in -> <name>.wasm.h: the export types (c_export_types).
Vars c_wasm_types_vars(const GuestModel& g, const GuestInput& in);
// templates/ewasm-skel.h.in: the one-include header of older apps.
Vars c_skel_vars(const GuestModel& g, const GuestInput& in);
// templates/app.c.in.
Context c_app_context(const GuestModel& g, const GuestInput& in);
// templates/rust/skel.rs.in, Cargo.toml.in and main.rs.in.
Context rust_context(const GuestModel& g, const GuestInput& in);

// The template files, relative to the templates directory.
inline constexpr const char* kSkelTemplate = "ewasm-skel.h.in";
inline constexpr const char* kSkelHTemplate = "skel.h.in";
inline constexpr const char* kWasmHTemplate = "wasm.h.in";
inline constexpr const char* kAppTemplate = "app.c.in";
inline constexpr const char* kRustSkelTemplate = "rust/skel.rs.in";
inline constexpr const char* kRustMainTemplate = "rust/main.rs.in";
inline constexpr const char* kCargoTemplate = "rust/Cargo.toml.in";
inline constexpr const char* kCargoConfigTemplate = "rust/cargo-config.toml.in";
// The guest SDK: copied as is into eunomia-include/.
inline constexpr const char* kSdkDir = "eunomia-include";

}  // namespace ecc::wasmgen
