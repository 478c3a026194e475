// Export types described only by JSON (a package whose object's BTF lacks
// them) -> types of the model, so that every layout is decoded by one path:
// layout_of(). Nothing is guessed: a member's type is a BTF type of that
// name, another export type, or a C base type of the size the entry gives.
#include <map>
#include <regex>

#include "meta.h"

namespace ecc::loader {

namespace {

struct BaseType {
  uint32_t size;
  bool is_signed;
  bool is_bool = false;
  bool is_float = false;
};

// C's integer, boolean and floating spellings and the fixed-width typedefs
// of the kernel and of <stdint.h>, for types the object's BTF does not have.
const std::map<std::string, BaseType>& base_types() {
  static const std::map<std::string, BaseType> t = [] {
    std::map<std::string, BaseType> m = {
        {"char", {1, true}},                {"signed char", {1, true}},
        {"unsigned char", {1, false}},      {"_Bool", {1, false, true}},
        {"bool", {1, false, true}},         {"short", {2, true}},
        {"short int", {2, true}},           {"unsigned short", {2, false}},
        {"unsigned short int", {2, false}}, {"short unsigned int", {2, false}},
        {"int", {4, true}},                 {"signed", {4, true}},
        {"signed int", {4, true}},          {"unsigned", {4, false}},
        {"unsigned int", {4, false}},       {"long", {8, true}},
        {"long int", {8, true}},            {"unsigned long", {8, false}},
        {"unsigned long int", {8, false}},  {"long unsigned int", {8, false}},
        {"long long", {8, true}},           {"long long int", {8, true}},
        {"unsigned long long", {8, false}}, {"unsigned long long int", {8, false}},
        {"long long unsigned int", {8, false}}, {"__int128", {16, true}},
        {"unsigned __int128", {16, false}}, {"size_t", {8, false}},
        {"ssize_t", {8, true}},             {"pid_t", {4, true}},
        {"uid_t", {4, false}},              {"gid_t", {4, false}},
        {"float", {4, true, false, true}},  {"double", {8, true, false, true}},
    };
    for (uint32_t bits : {8u, 16u, 32u, 64u}) {
      std::string b = std::to_string(bits);
      for (std::string s : {"__s", "s"}) m[s + b] = {bits / 8, true};
      for (std::string u : {"__u", "u"}) m[u + b] = {bits / 8, false};
      m["int" + b + "_t"] = {bits / 8, true};
      m["uint" + b + "_t"] = {bits / 8, false};
    }
    return m;
  }();
  return t;
}

class Builder {
 public:
  Builder(const Json& exports, TypeTable& types, const std::string& path) : exports_(exports), types_(types), path_(path) {}

  TypeId entry(const Json& e, int depth) {
    std::string name = e.value("name", "");
    if (auto it = built_.find(name); it != built_.end()) return it->second;
    if (depth > kMaxTypeDepth) fail("export type '" + name + "' nests too deeply");
    std::string where = "export type '" + name + "'";
    Type t;
    t.name = name;
    t.size = u32(e, "size", where);
    t.align = e.contains("align") ? u32(e, "align", where) : 1;
    if (e.contains("values")) {
      t.kind = TypeKind::Enum;
      if (!e["values"].is_array()) fail(where + " has values that are not an array");
      for (const auto& v : e["values"]) {
        if (!v.is_object() || !v.contains("name") || !v["name"].is_string() || !v.contains("value") ||
            !v["value"].is_number_integer())
          fail(where + " has an enum value without a name and an integer value");
        t.values.push_back({v["name"].get<std::string>(), v["value"].get<int64_t>()});
        t.is_signed |= v["value"].get<int64_t>() < 0;
      }
      return built_[name] = types_.add(std::move(t));
    }
    if (!e.contains("members") || !e["members"].is_array())
      fail(where + " is not in the BPF object's BTF and has no members to lay it out");
    t.kind = TypeKind::Struct;
    TypeId id = types_.add(Type{});
    built_[name] = id;  // before the members: a pointer may refer back
    members(e["members"], 0, t, where, depth);
    types_.at(id) = std::move(t);
    return id;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const { throw Error(Exit::bad_input, what, path_); }

  uint32_t u32(const Json& j, const char* key, const std::string& where) const {
    auto it = j.find(key);
    if (it == j.end() || !it->is_number_unsigned() || it->get<uint64_t>() > UINT32_MAX)
      fail(where + " has no valid '" + key + "'");
    return it->get<uint32_t>();
  }

  // `base` is where `into` starts in the exported type: the JSON carries
  // absolute offsets inside anonymous records.
  void members(const Json& list, uint32_t base, Type& into, const std::string& tname, int depth) {
    for (const auto& m : list) {
      if (!m.is_object()) fail(tname + " has a member that is not an object");
      std::string name = m.value("name", "");
      std::string where = tname + " member '" + name + "'";
      uint32_t off = u32(m, "offset", where);
      uint32_t size = u32(m, "size", where);
      if (off < base) fail(where + " lies before its enclosing record");
      if (!m.contains("type") || !m["type"].is_string()) fail(where + " has no type");
      std::string spelling = m["type"].get<std::string>();
      Member mem;
      mem.name = name;
      if (m.contains("members")) {
        Type anon;
        anon.kind = spelling.rfind("union", 0) == 0 ? TypeKind::Union : TypeKind::Struct;
        anon.size = size;
        anon.align = 1;
        members(m["members"], off, anon, tname, depth + 1);
        mem.type = types_.add(std::move(anon));
      } else {
        mem.type = spelled(spelling, size, where, depth);
      }
      mem.bit_offset = (off - base) * 8;
      if (m.contains("bit_size")) {
        mem.bit_size = u32(m, "bit_size", where);
        uint32_t bits = u32(m, "bit_offset", where);
        if (mem.bit_size == 0 || mem.bit_size > 64) fail(where + " has a bit_size outside 1..64");
        if (bits < base * 8) fail(where + " lies before its enclosing record");
        mem.bit_offset = bits - base * 8;
      }
      uint64_t end = mem.bit_size ? (uint64_t{mem.bit_offset} + mem.bit_size + 7) / 8 : uint64_t{off - base} + size;
      if (into.size && end > into.size)
        fail(where + " lies outside the type's " + std::to_string(into.size) + " bytes");
      into.members.push_back(std::move(mem));
    }
  }

  const Json* find_export(const std::string& name) const {
    if (!exports_.is_array()) return nullptr;
    for (const auto& e : exports_)
      if (e.is_object() && e.value("name", "") == name) return &e;
    return nullptr;
  }

  // A member's C spelling of `size` bytes -> a type of the table.
  TypeId spelled(std::string spelling, uint32_t size, const std::string& where, int depth) {
    static const std::regex dim_re(R"(\[(\d+)\]$)");
    std::vector<uint32_t> dims;  // outermost first
    std::smatch mt;
    while (std::regex_search(spelling, mt, dim_re)) {
      dims.insert(dims.begin(), static_cast<uint32_t>(std::stoul(mt[1].str())));
      spelling.erase(static_cast<size_t>(mt.position(0)));
    }
    while (!spelling.empty() && spelling.back() == ' ') spelling.pop_back();
    TypeId elem = element(spelling, where, depth);
    for (auto it = dims.rbegin(); it != dims.rend(); ++it) {
      Type arr;
      arr.kind = TypeKind::Array;
      arr.target = elem;
      arr.nelems = *it;
      arr.size = types_.size_of(elem) * *it;
      arr.align = types_.align_of(elem);
      elem = types_.add(std::move(arr));
    }
    if (types_.size_of(elem) != size)
      fail(where + " is " + std::to_string(size) + " bytes, but type '" + spelling + "' is " +
           std::to_string(types_.size_of(elem)));
    return elem;
  }

  TypeId element(const std::string& spelling, const std::string& where, int depth) {
    if (spelling.find('*') != std::string::npos) {
      Type p;
      p.kind = TypeKind::Pointer;
      p.size = p.align = 8;  // BPF pointers
      return types_.add(std::move(p));
    }
    for (auto [kw, kind] : {std::pair{"struct ", TypeKind::Struct}, {"union ", TypeKind::Union}, {"enum ", TypeKind::Enum}}) {
      if (spelling.rfind(kw, 0) != 0) continue;
      std::string name = spelling.substr(std::string(kw).size());
      if (auto id = types_.find(kind, name)) return *id;
      if (const Json* e = find_export(name)) return entry(*e, depth + 1);
      fail(where + " has type '" + spelling + "', which is neither exported nor in the BPF object");
    }
    if (auto id = types_.find(TypeKind::Typedef, spelling)) return *id;
    if (const Json* e = find_export(spelling)) return entry(*e, depth + 1);
    auto it = base_types().find(spelling);
    if (it == base_types().end())
      fail(where + " has type '" + spelling + "', which is not in the BPF object's BTF and not a C base type");
    const BaseType& b = it->second;
    Type t;
    t.kind = b.is_float ? TypeKind::Float : TypeKind::Int;
    t.name = spelling;
    t.size = t.align = b.size;
    t.is_signed = b.is_signed;
    t.is_bool = b.is_bool;
    return types_.add(std::move(t));
  }

  const Json& exports_;
  TypeTable& types_;
  const std::string& path_;
  std::map<std::string, TypeId> built_;
};

}  // namespace

TypeId type_from_json(const Json& entry, const Json& exports, TypeTable& types, const std::string& path) {
  return Builder(exports, types, path).entry(entry, 0);
}

}  // namespace ecc::loader
