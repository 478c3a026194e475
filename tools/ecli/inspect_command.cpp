#include "inspect_command.h"

#include <cstring>

#include "ecc/files.h"
#include "ecc/inspect.h"
#include "ecc/loader.h"
#include "ecc/oci.h"
#include "run_wasm.h"

namespace ecc::ecli {

namespace {

using inspect::Call;
using inspect::Program;
using inspect::Report;

std::vector<NamedObject> wasm_file_objects(const std::string& path) {
  std::vector<uint8_t> module = read_file(path, "the module");
  std::vector<std::vector<uint8_t>> found = inspect::wasm_objects(module, path);
  if (found.empty()) throw Error(Exit::bad_input, "the module carries no BPF object", path);
  std::vector<NamedObject> out;
  for (size_t i = 0; i < found.size(); ++i)
    out.emplace_back(found.size() == 1 ? path : path + ": object " + std::to_string(i + 1), std::move(found[i]));
  return out;
}

// "a, b, c" of the calls that are (or are not) kfuncs; "-" when none.
std::string call_list(const Program& p, bool kfuncs) {
  std::string s;
  for (const Call& c : p.calls)
    if (c.kfunc == kfuncs) s += (s.empty() ? "" : ", ") + c.name;
  return s.empty() ? "-" : s;
}

void print_text(const std::string& where, const Report& r, std::ostream& out) {
  out << "object " << where << "\n";
  for (const Program& p : r.programs) {
    out << "\nprogram " << p.name << "  type " << p.type << "  attach " << (p.attach.empty() ? "-" : p.attach) << "\n"
        << "  section " << p.section << "\n"
        << "  helpers: " << call_list(p, false) << "\n"
        << "  kfuncs: " << call_list(p, true) << "\n";
    for (const std::string& d : p.dangers) out << "  ! DANGER: " << d << "\n";
  }
  if (!r.maps.empty()) out << "\n";
  for (const inspect::Map& m : r.maps)
    out << "map " << m.name << "  type " << m.type << "  key " << m.key_size << "  value " << m.value_size
        << "  max_entries " << m.max_entries << "\n";
}

Json call_json(const Call& c) {
  Json j = {{"name", c.name}};
  if (!c.kfunc) j["id"] = c.helper_id;
  if (!c.danger.empty()) j["danger"] = c.danger;
  return j;
}

Json report_json(const std::string& where, const Report& r) {
  Json programs = Json::array(), maps = Json::array();
  for (const Program& p : r.programs) {
    Json helpers = Json::array(), kfuncs = Json::array();
    for (const Call& c : p.calls) (c.kfunc ? kfuncs : helpers).push_back(call_json(c));
    programs.push_back({{"name", p.name}, {"section", p.section}, {"type", p.type}, {"attach", p.attach},
                        {"helpers", helpers}, {"kfuncs", kfuncs}, {"dangers", p.dangers}});
  }
  for (const inspect::Map& m : r.maps)
    maps.push_back({{"name", m.name}, {"type", m.type}, {"key_size", m.key_size}, {"value_size", m.value_size},
                    {"max_entries", m.max_entries}});
  return {{"source", where}, {"programs", programs}, {"maps", maps}};
}

}  // namespace

std::vector<NamedObject> objects_of_file(const std::string& path, const std::string& image) {
  if (oci::is_image_layout(path)) return {{path, oci::read_layout_gadget(path, image).ebpf}};
  if (!image.empty()) throw Error(Exit::usage, "--image: '" + path + "' is not an OCI image layout");
  if (is_wasm_file(path)) return wasm_file_objects(path);
  std::vector<uint8_t> bytes = read_file(path, "the file");
  if (bytes.size() >= 4 && std::memcmp(bytes.data(), "\x7f" "ELF", 4) == 0) return {{path, std::move(bytes)}};
  return {{path, loader::decode_package(std::string(bytes.begin(), bytes.end()), path).elf}};
}

int inspect_objects(const std::vector<NamedObject>& objects, bool json, std::ostream& out) {
  // Every object is read before anything is printed: a damaged one is one error line.
  std::vector<Report> reports;
  for (const auto& [where, elf] : objects) reports.push_back(inspect::inspect_object(elf, where));
  if (json) {
    Json all = Json::array();
    for (size_t i = 0; i < objects.size(); ++i) all.push_back(report_json(objects[i].first, reports[i]));
    // A damaged name may hold bytes that are not UTF-8: replaced, not thrown on.
    out << Json{{"objects", all}}.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
    return 0;
  }
  for (size_t i = 0; i < objects.size(); ++i) {
    if (i) out << "\n";
    print_text(objects[i].first, reports[i], out);
  }
  return 0;
}

}  // namespace ecc::ecli
