#include "ecc/wasm_layout.h"

#include <algorithm>

#include "ecc/error.h"

namespace ecc::wasmgen {

namespace {

uint32_t round_up(uint32_t v, uint32_t a) { return a ? (v + a - 1) / a * a : v; }

WType bytes_type(uint32_t size) { return WType{.kind = WKind::Bytes, .size = size, .align = 1}; }

WType fixed_int(WKind kind, uint32_t size, bool is_signed) {
  if (size != 1 && size != 2 && size != 4 && size != 8) return bytes_type(size);
  return WType{.kind = kind, .size = size, .align = size, .is_signed = is_signed};
}

// A member as the layout pass sees it: record members and section variables alike.
struct MemberIn {
  std::string name;
  TypeId type = 0;
  uint32_t bit_offset = 0;
  uint32_t bit_size = 0;
};

class Planner {
 public:
  Planner(const TypeTable& types, WPlan& plan) : t_(types), plan_(plan) { plan_.types = &types; }

  WType map(TypeId id, const std::string& rust_hint) {
    TypeId rid = t_.resolve(id);
    const Type& ty = t_.at(rid);
    switch (ty.kind) {
      case TypeKind::Int:
        if (ty.is_bool) return fixed_int(WKind::Bool, ty.size, false);
        if (t_.is_char(rid)) return WType{.kind = WKind::Char, .size = 1, .align = 1, .is_signed = ty.is_signed};
        return fixed_int(WKind::Int, ty.size, ty.is_signed);
      case TypeKind::Float:
        if (ty.size == 4 || ty.size == 8) return WType{.kind = WKind::Float, .size = ty.size, .align = ty.size};
        return bytes_type(ty.size);
      case TypeKind::Pointer:
        // A BPF pointer is 8 bytes; a wasm32 one would be 4.
        return WType{.kind = WKind::Pointer, .size = 8, .align = 8};
      case TypeKind::Enum: {
        WType w = fixed_int(WKind::Enum, ty.size, ty.is_signed);
        // As for records: a named enum can be in the table twice (BTF and
        // Clang's AST), and C allows one definition of it.
        auto same = std::find_if(plan_.enums.begin(), plan_.enums.end(), [&](TypeId e) {
          return e == rid || (!ty.name.empty() && t_.at(e).name == ty.name);
        });
        w.source = same == plan_.enums.end() ? rid : *same;
        if (same == plan_.enums.end()) plan_.enums.push_back(rid);
        return w;
      }
      case TypeKind::Array: {
        auto elem = std::make_shared<WType>(map(ty.target, rust_hint));
        return WType{.kind = WKind::Array, .size = elem->size * ty.nelems, .align = elem->align, .elem = elem,
                     .count = ty.nelems};
      }
      case TypeKind::Struct:
      case TypeKind::Union: {
        int idx = plan_record(rid, typedef_naming(id), rust_hint);
        const WRecord& r = plan_.records[idx];
        return WType{.kind = WKind::Record, .size = r.size, .align = r.align, .source = rid, .record = idx};
      }
      default:
        return bytes_type(t_.size_of(rid));
    }
  }

  int plan_record(TypeId rid, const std::string& typedef_name, const std::string& rust_hint) {
    if (int i = plan_.find(rid); i >= 0) return i;
    const Type& ty = t_.at(rid);
    // The same named record can be in the table twice (from BTF and from
    // Clang's AST, checked equal by ecc): C allows one definition.
    std::string tname = !ty.name.empty() ? ty.name : typedef_name;
    for (size_t i = 0; i < plan_.records.size(); ++i) {
      const WRecord& r = plan_.records[i];
      if (!tname.empty() && r.is_union == (ty.kind == TypeKind::Union) && (r.tag == tname || r.typedef_name == tname))
        return static_cast<int>(i);
    }
    if (std::find(busy_.begin(), busy_.end(), rid) != busy_.end())
      throw Error(Exit::bad_input, "record '" + t_.spell(rid) + "' contains itself");
    busy_.push_back(rid);
    WRecord r;
    r.source = rid;
    r.is_union = ty.kind == TypeKind::Union;
    r.tag = ty.name;
    r.typedef_name = ty.name.empty() ? typedef_name : "";
    r.inline_anonymous = ty.name.empty() && typedef_name.empty();
    r.rust_name = !ty.name.empty() ? ty.name : !typedef_name.empty() ? typedef_name : rust_hint;
    r.size = ty.size;
    r.align = std::max<uint32_t>(1, t_.align_of(rid));
    std::vector<MemberIn> members;
    for (const Member& m : ty.members) members.push_back({m.name, m.type, m.bit_offset, m.bit_size});
    lay_out(r, members, t_.spell(rid));
    busy_.pop_back();
    plan_.records.push_back(std::move(r));
    return static_cast<int>(plan_.records.size() - 1);
  }

  void lay_out(WRecord& r, const std::vector<MemberIn>& members, const std::string& what) {
    lay_out_once(r, members, what, true);
    bool has_native = std::any_of(r.fields.begin(), r.fields.end(),
                                  [](const WField& f) { return f.role == WField::Role::NativeBits; });
    // A packed record allocates bitfields differently: fall back to storage.
    if (r.packed && has_native) lay_out_once(r, members, what, false);
  }

 private:
  // The innermost typedef naming an anonymous record, as in
  // `typedef struct { ... } task_row_t;`.
  std::string typedef_naming(TypeId id) const {
    std::string name;
    for (size_t hops = 0; hops <= t_.size(); ++hops) {
      id = t_.strip_mods(id);
      const Type& ty = t_.at(id);
      if (ty.kind != TypeKind::Typedef) break;
      name = ty.name;
      id = ty.target;
    }
    return name;
  }

  void add_padding(WRecord& r, uint32_t offset, uint32_t size) {
    WField f{.role = WField::Role::Padding, .name = "__pad" + std::to_string(pad_count_++), .offset = offset,
             .size = size, .type = bytes_type(size)};
    r.fields.push_back(std::move(f));
  }

  // Simulates the SysV (and wasm32) bitfield allocation of a run that starts
  // at byte `cursor`: true when it puts every bitfield where BTF says it is.
  bool native_run_matches(const std::vector<MemberIn>& run, const std::vector<WType>& types, uint32_t cursor,
                          uint32_t record_align, uint32_t& end_bit) {
    uint32_t pos = cursor * 8;
    for (size_t i = 0; i < run.size(); ++i) {
      const WType& w = types[i];
      if (w.kind != WKind::Int && w.kind != WKind::Bool && w.kind != WKind::Enum) return false;
      if (w.align > record_align || run[i].bit_size > w.size * 8) return false;
      uint32_t unit = w.size * 8;
      if (pos % unit + run[i].bit_size > unit) pos = round_up(pos, unit);
      if (pos != run[i].bit_offset) return false;
      pos += run[i].bit_size;
    }
    end_bit = pos;
    return true;
  }

  // Places the run of consecutive bitfields that starts at members[i] (one
  // bitfield at a time inside a union): where the SysV allocation puts them
  // if it puts them where BTF says, else in a byte storage field. Moves
  // `cursor` past it and returns the index after the run.
  size_t lay_out_bits(WRecord& r, const std::vector<MemberIn>& members, size_t i, const std::string& what,
                      bool allow_native, uint32_t& cursor, uint32_t& natural) {
    size_t j = i + 1;
    while (!r.is_union && j < members.size() && members[j].bit_size) ++j;
    std::vector<MemberIn> run(members.begin() + i, members.begin() + j);
    std::vector<WType> types;
    uint32_t end_bit = 0;
    for (const auto& b : run) {
      end_bit = std::max(end_bit, b.bit_offset + b.bit_size);
      types.push_back(map(b.type, r.rust_name + "__" + b.name));
    }
    uint32_t start = r.is_union ? 0 : cursor;
    uint32_t first_byte = run.front().bit_offset / 8;
    if (first_byte < start)
      throw Error(Exit::bad_input, "bitfield '" + run.front().name + "' of " + what + " overlaps the member before it");
    uint32_t native_end = 0;
    bool native = allow_native && native_run_matches(run, types, start, r.align, native_end);
    WField f;
    f.name = "__bits" + std::to_string(bits_count_++);
    uint32_t base = native ? start : first_byte;
    if (!native && first_byte > start) add_padding(r, start, first_byte - start);
    f.role = native ? WField::Role::NativeBits : WField::Role::BitStorage;
    f.offset = base;
    f.size = (end_bit + 7) / 8 - base;
    f.type = bytes_type(f.size);
    for (size_t k = 0; k < run.size(); ++k) {
      f.bits.push_back({run[k].name, run[k].bit_offset - base * 8, run[k].bit_size, types[k]});
      if (native) natural = std::max(natural, types[k].align);
    }
    uint32_t end = (end_bit + 7) / 8;
    r.fields.push_back(std::move(f));
    cursor = r.is_union ? std::max(cursor, end) : end;
    return j;
  }

  void lay_out_once(WRecord& r, const std::vector<MemberIn>& members, const std::string& what, bool allow_native) {
    r.fields.clear();
    r.packed = false;
    int anon_count = 0;
    uint32_t cursor = 0, natural = 1;
    for (size_t i = 0; i < members.size();) {
      const MemberIn& m = members[i];
      if (m.bit_size) {
        i = lay_out_bits(r, members, i, what, allow_native, cursor, natural);
        continue;
      }
      if (m.bit_offset % 8)
        throw Error(Exit::bad_input, "member '" + m.name + "' of " + what + " does not start on a byte");
      uint32_t off = m.bit_offset / 8;
      std::string hint = r.rust_name + "__" + (m.name.empty() ? "anon" + std::to_string(anon_count++) : m.name);
      WType w = map(m.type, hint);
      if (r.is_union && off != 0)
        throw Error(Exit::bad_input, "member '" + m.name + "' of " + what + " is not at offset 0 of its union");
      if (!r.is_union && off < cursor)
        throw Error(Exit::bad_input, "member '" + m.name + "' of " + what + " overlaps the member before it");
      if (!r.is_union && off > cursor) add_padding(r, cursor, off - cursor);
      if (off % w.align) r.packed = true;
      natural = std::max(natural, w.align);
      r.fields.push_back(WField{.role = WField::Role::Member, .name = m.name, .offset = off, .size = w.size, .type = w});
      cursor = r.is_union ? std::max(cursor, w.size) : off + w.size;
      ++i;
    }
    if (cursor > r.size) throw Error(Exit::bad_input, "the members of " + what + " run past its size");
    if (cursor < r.size) add_padding(r, r.is_union ? 0 : cursor, r.size - (r.is_union ? 0 : cursor));
    if (natural > r.align) r.packed = true;
    r.natural_align = natural;
  }

  const TypeTable& t_;
  WPlan& plan_;
  std::vector<TypeId> busy_;
  // Names of generated fields are unique in a whole plan: C flattens
  // anonymous members into their parent's namespace.
  int pad_count_ = 0;
  int bits_count_ = 0;
};

}  // namespace

std::string WRecord::c_name() const {
  if (!typedef_name.empty()) return typedef_name;
  if (!tag.empty()) return (is_union ? "union " : "struct ") + tag;
  return "";
}

int WPlan::find(TypeId resolved) const {
  for (size_t i = 0; i < records.size(); ++i)
    if (records[i].source == resolved && resolved != 0) return static_cast<int>(i);
  return -1;
}

WType plan_type(const TypeTable& types, TypeId id, WPlan& plan) {
  Planner p(types, plan);
  return p.map(id, "anon_" + std::to_string(id));
}

WPlan plan_export_types(const Skeleton& skel) {
  WPlan plan;
  Planner p(skel.types, plan);
  auto add = [&](TypeId id) {
    WType w = p.map(id, "export_" + std::to_string(id));
    if (w.kind == WKind::Record &&
        std::find(plan.exported.begin(), plan.exported.end(), w.record) == plan.exported.end())
      plan.exported.push_back(w.record);
  };
  for (TypeId id : skel.export_types) add(id);
  // A sampled map's value is printed by the app as ecli prints it, typed,
  // also when its struct is defined only in the .bpf.c.
  for (const MapInfo& m : skel.maps)
    if (m.sample && m.value_type && skel.types.at(skel.types.resolve(*m.value_type)).kind == TypeKind::Struct)
      add(*m.value_type);
  return plan;
}

WRecord plan_section_view(const TypeTable& types, const DataSection& sec, const std::string& rust_name, WPlan& plan) {
  Planner p(types, plan);
  WRecord r;
  r.tag = rust_name;
  r.rust_name = rust_name;
  r.size = sec.size;
  std::vector<MemberIn> members;
  for (const Variable& v : sec.variables) {
    members.push_back({v.name, v.type, v.offset * 8, 0});
    r.align = std::max(r.align, types.align_of(v.type));
    r.size = std::max(r.size, v.offset + v.size);
  }
  // A section need not end on its alignment (".rodata" of an int and a bool
  // is 9 bytes); a C struct does. The view only grows at its end.
  r.size = round_up(r.size, r.align);
  p.lay_out(r, members, "section " + sec.name);
  return r;
}

}  // namespace ecc::wasmgen
