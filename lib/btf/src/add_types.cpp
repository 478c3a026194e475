// Export types the object's BTF lacks -> new BTF types appended to its .BTF
// (libbpf's BTF write API), and the .BTF section of the ELF replaced (libelf).
//
// A type the program uses only for locals never reaches the object's BTF,
// but BTF-driven loaders decode events through a type_id (docs/package-format.md). Types
// are only ever appended: existing ids and string offsets, which .BTF.ext
// and the DATASECs refer to, stay as they are.
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <linux/btf.h>
#include <bpf/btf.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <tuple>

#include "ecc/btf.h"
#include "ecc/error.h"
#include "enum_signedness.h"

namespace ecc {
namespace {

struct BtfFree {
  void operator()(struct btf* b) const { btf__free(b); }
};
using BtfPtr = std::unique_ptr<struct btf, BtfFree>;

bool is_record(TypeKind k) { return k == TypeKind::Struct || k == TypeKind::Union; }

// Appends the types of a TypeTable to a BTF, reusing what the BTF has.
class TypeAdder {
 public:
  // `legacy_enums`: write 32-bit enums as clang 14 does (see add_enum).
  TypeAdder(struct btf* btf, const TypeTable& tt, bool legacy_enums, const std::string& path)
      : btf_(btf), tt_(tt), path_(path), memo_(tt.size(), 0), legacy_enums_(legacy_enums) {
    uint32_t n = btf__type_cnt(btf);
    for (uint32_t id = 1; id < n; ++id) index(id);
  }

  // Whether the BTF has the export type `id`: a struct/union/enum of the
  // same kind and name, or for a typedef'd anonymous record its typedef.
  bool has(TypeId id) const { return find_named(tt_.at(id)).has_value(); }

  // Whether an ENUM64 was added: from then on readers take kind_flag as
  // the signedness of every enum (legacy_enum_signedness).
  bool added_enum64() const { return added_enum64_; }

  // The BTF id of `id`, adding it (and what it needs) when missing.
  uint32_t add(TypeId id) {
    if (id == 0) return 0;
    if (memo_.at(id)) return memo_[id];
    const Type& t = tt_.at(id);
    uint32_t out;
    if (auto hit = find_named(t)) {
      out = *hit;
    } else if (is_record(t.kind) && busy_.count(id)) {
      // A record that points to itself: the pointer gets a forward
      // declaration of it, as for any incomplete type.
      return forward(t.name, t.kind == TypeKind::Union);
    } else {
      out = add_new(t, id);
    }
    memo_[id] = out;
    return out;
  }

 private:
  // Named types by (kind, name, size); the size only tells ints apart
  // (and forward declarations: 1 for a union).
  using NameKey = std::tuple<TypeKind, std::string, uint32_t>;
  // Pointers, arrays and modifiers by (kind, referred-to id, nelems).
  using RefKey = std::tuple<TypeKind, uint32_t, uint32_t>;

  static NameKey name_key(TypeKind kind, const std::string& name, uint32_t size) {
    bool sized = kind == TypeKind::Int || kind == TypeKind::Float || kind == TypeKind::Fwd;
    return {kind, name, sized ? size : 0};
  }

  void index(uint32_t id) {
    const struct btf_type* t = btf__type_by_id(btf_, id);
    std::string name = name_of(btf_, t->name_off);
    auto named = [&](TypeKind k, uint32_t size) {
      if (!name.empty()) named_.emplace(name_key(k, name, size), id);
    };
    switch (btf_kind(t)) {
      case BTF_KIND_INT: named(TypeKind::Int, t->size); break;
      case BTF_KIND_FLOAT: named(TypeKind::Float, t->size); break;
      case BTF_KIND_STRUCT: named(TypeKind::Struct, 0); break;
      case BTF_KIND_UNION: named(TypeKind::Union, 0); break;
      case BTF_KIND_ENUM:
      case BTF_KIND_ENUM64: named(TypeKind::Enum, 0); break;
      case BTF_KIND_TYPEDEF: named(TypeKind::Typedef, 0); break;
      case BTF_KIND_FWD: named(TypeKind::Fwd, btf_kflag(t)); break;
      case BTF_KIND_PTR: refs_.emplace(RefKey{TypeKind::Pointer, t->type, 0}, id); break;
      case BTF_KIND_CONST: refs_.emplace(RefKey{TypeKind::Const, t->type, 0}, id); break;
      case BTF_KIND_VOLATILE: refs_.emplace(RefKey{TypeKind::Volatile, t->type, 0}, id); break;
      case BTF_KIND_RESTRICT: refs_.emplace(RefKey{TypeKind::Restrict, t->type, 0}, id); break;
      case BTF_KIND_ARRAY: {
        const struct btf_array* a = btf_array(t);
        refs_.emplace(RefKey{TypeKind::Array, a->type, a->nelems}, id);
        if (name_of(btf_, btf__type_by_id(btf_, a->index_type)->name_off) == kIndexName) index_type_ = a->index_type;
        break;
      }
      default: break;
    }
  }

  std::optional<uint32_t> find_named(const Type& t) const {
    if (t.name.empty()) return std::nullopt;
    switch (t.kind) {
      case TypeKind::Int:
      case TypeKind::Float:
      case TypeKind::Struct:
      case TypeKind::Union:
      case TypeKind::Enum:
      case TypeKind::Typedef:
        break;
      case TypeKind::Fwd:
        // A complete record of that name serves as well.
        if (auto it = named_.find(name_key(t.fwd_is_union ? TypeKind::Union : TypeKind::Struct, t.name, 0));
            it != named_.end())
          return it->second;
        if (auto it = named_.find(name_key(TypeKind::Fwd, t.name, t.fwd_is_union)); it != named_.end())
          return it->second;
        return std::nullopt;
      default:
        return std::nullopt;
    }
    auto it = named_.find(name_key(t.kind, t.name, t.size));
    return it == named_.end() ? std::nullopt : std::optional<uint32_t>(it->second);
  }

  uint32_t check(int id, const Type& t, const char* what) const {
    if (id > 0) return static_cast<uint32_t>(id);
    std::string name = t.name.empty() ? "an anonymous " + std::string(what) : std::string(what) + " '" + t.name + "'";
    throw Error(Exit::bad_input, "cannot add " + name + " to the object's BTF: " + std::strerror(-id), path_);
  }

  uint32_t check(int err, const Type& t, const std::string& field, const char* what) const {
    if (err >= 0) return static_cast<uint32_t>(err);
    throw Error(Exit::bad_input,
                "cannot add " + std::string(what) + " '" + field + "' of '" + t.name + "' to the object's BTF: " +
                    std::strerror(-err),
                path_);
  }

  // A derived type (pointer, array, modifier) over `target`, reused when
  // the BTF has the same one.
  template <class Add>
  uint32_t ref(TypeKind kind, uint32_t target, uint32_t nelems, const Type& t, const char* what, Add make) {
    RefKey key{kind, target, nelems};
    if (auto it = refs_.find(key); it != refs_.end()) return it->second;
    uint32_t id = check(make(), t, what);
    refs_.emplace(key, id);
    return id;
  }

  uint32_t remember(const Type& t, uint32_t id) {
    if (!t.name.empty()) named_.emplace(name_key(t.kind, t.name, t.size), id);
    return id;
  }

  uint32_t forward(const std::string& name, bool is_union) {
    if (auto it = named_.find(name_key(TypeKind::Fwd, name, is_union)); it != named_.end()) return it->second;
    Type fwd{.kind = TypeKind::Fwd, .name = name};
    uint32_t id = check(btf__add_fwd(btf_, name.c_str(), is_union ? BTF_FWD_UNION : BTF_FWD_STRUCT), fwd, "forward");
    named_.emplace(name_key(TypeKind::Fwd, name, is_union), id);
    return id;
  }

  // The index type of arrays: clang's __ARRAY_SIZE_TYPE__.
  uint32_t index_type() {
    if (!index_type_) {
      Type it{.kind = TypeKind::Int, .name = kIndexName, .size = 4};
      index_type_ = check(btf__add_int(btf_, kIndexName, 4, 0), it, "int");
    }
    return index_type_;
  }

  // Clang's encoding: BTF_INT_SIGNED for signed ints and (signed) char,
  // BTF_INT_BOOL for _Bool; it never sets BTF_INT_CHAR, so neither do we,
  // and readers know the character types by name.
  static int int_encoding(const Type& t) {
    if (t.is_bool) return BTF_INT_BOOL;
    return t.is_signed ? BTF_INT_SIGNED : 0;
  }

  uint32_t add_new(const Type& t, TypeId id) {
    const char* name = t.name.c_str();
    switch (t.kind) {
      case TypeKind::Void:
        return 0;
      case TypeKind::Int:
        return remember(t, check(btf__add_int(btf_, name, t.size, int_encoding(t)), t, "int"));
      case TypeKind::Float:
        return remember(t, check(btf__add_float(btf_, name, t.size), t, "float"));
      case TypeKind::Pointer: {
        uint32_t to = add(t.target);
        return ref(TypeKind::Pointer, to, 0, t, "pointer", [&] { return btf__add_ptr(btf_, static_cast<int>(to)); });
      }
      case TypeKind::Array: {
        uint32_t elem = add(t.target);
        uint32_t idx = index_type();
        return ref(TypeKind::Array, elem, t.nelems, t, "array",
                   [&] { return btf__add_array(btf_, static_cast<int>(idx), static_cast<int>(elem), t.nelems); });
      }
      case TypeKind::Const:
      case TypeKind::Volatile:
      case TypeKind::Restrict:
        return add_modifier(t);
      case TypeKind::TypeTag:
        return check(btf__add_type_tag(btf_, name, static_cast<int>(add(t.target))), t, "type tag");
      case TypeKind::Typedef:
        return remember(t, check(btf__add_typedef(btf_, name, static_cast<int>(add(t.target))), t, "typedef"));
      case TypeKind::Struct:
      case TypeKind::Union:
        return add_record(t, id);
      case TypeKind::Enum:
        return remember(t, add_enum(t));
      case TypeKind::Fwd:
        return forward(t.name, t.fwd_is_union);
      case TypeKind::FuncProto:
        return add_func_proto(t);
      case TypeKind::Func:
        break;
    }
    throw Error(Exit::bad_input, "cannot add function '" + t.name + "' to the object's BTF as a type", path_);
  }

  uint32_t add_modifier(const Type& t) {
    uint32_t to = add(t.target);
    int target = static_cast<int>(to);
    switch (t.kind) {
      case TypeKind::Const:
        return ref(t.kind, to, 0, t, "const", [&] { return btf__add_const(btf_, target); });
      case TypeKind::Volatile:
        return ref(t.kind, to, 0, t, "volatile", [&] { return btf__add_volatile(btf_, target); });
      default:
        return ref(t.kind, to, 0, t, "restrict", [&] { return btf__add_restrict(btf_, target); });
    }
  }

  // Member types first: a record's fields must directly follow it.
  uint32_t add_record(const Type& t, TypeId id) {
    busy_.insert(id);
    std::vector<uint32_t> types;
    for (const Member& m : t.members) types.push_back(add(m.type));
    busy_.erase(id);
    bool is_union = t.kind == TypeKind::Union;
    const char* what = is_union ? "union" : "struct";
    uint32_t rec = check(is_union ? btf__add_union(btf_, t.name.c_str(), t.size)
                                  : btf__add_struct(btf_, t.name.c_str(), t.size),
                         t, what);
    for (size_t i = 0; i < t.members.size(); ++i) {
      const Member& m = t.members[i];
      // A bitfield makes libbpf set kind_flag: offset and width in one word.
      check(btf__add_field(btf_, m.name.c_str(), static_cast<int>(types[i]), m.bit_offset, m.bit_size), t,
            m.name.empty() ? "<anonymous>" : m.name, "field");
    }
    return remember(t, rec);
  }

  // A 64-bit enum becomes an ENUM64 unless every value fits the legacy
  // encoding. In a BTF from clang 14 (no signedness, values as __s32) a
  // 32-bit enum is written the same way, so that readers take every enum of
  // the object by one rule; elsewhere kind_flag says "signed" as Clang does.
  // (An ENUM64 ends the legacy reading: add_missing_types then starts over
  // with legacy_enums off.)
  uint32_t add_enum(const Type& t) {
    bool fits = true;
    for (const EnumValue& v : t.values) fits &= v.value >= INT32_MIN && v.value <= INT32_MAX;
    bool as_enum64 = t.size > 4 && !(legacy_enums_ && fits);
    const char* name = t.name.c_str();
    if (as_enum64) {
      uint32_t id = check(btf__add_enum64(btf_, name, t.size, t.is_signed), t, "enum");
      added_enum64_ = true;
      for (const EnumValue& v : t.values)
        check(btf__add_enum64_value(btf_, v.name.c_str(), static_cast<uint64_t>(v.value)), t, v.name,
              "enumerator");
      return id;
    }
    uint32_t id = check(btf__add_enum(btf_, name, t.size), t, "enum");
    for (const EnumValue& v : t.values) {
      // libbpf sets kind_flag (signed) for a negative value only.
      int64_t stored = !legacy_enums_ && t.is_signed ? v.value : int64_t{static_cast<uint32_t>(v.value)};
      check(btf__add_enum_value(btf_, v.name.c_str(), stored), t, v.name, "enumerator");
    }
    return id;
  }

  // Parameter types first: the parameters must directly follow the proto.
  uint32_t add_func_proto(const Type& t) {
    uint32_t ret = add(t.target);
    std::vector<uint32_t> params;
    for (const Param& p : t.params) params.push_back(add(p.type));
    uint32_t proto = check(btf__add_func_proto(btf_, static_cast<int>(ret)), t, "function prototype");
    for (size_t i = 0; i < params.size(); ++i)
      check(btf__add_func_param(btf_, t.params[i].name.c_str(), static_cast<int>(params[i])), t,
            t.params[i].name, "parameter");
    if (t.variadic) check(btf__add_func_param(btf_, nullptr, 0), t, "...", "parameter");
    return proto;
  }

  static constexpr const char* kIndexName = "__ARRAY_SIZE_TYPE__";

  struct btf* btf_;
  const TypeTable& tt_;
  const std::string& path_;
  std::vector<uint32_t> memo_;  // table id -> BTF id, 0 until known
  std::set<TypeId> busy_;       // records whose members are being added
  std::map<NameKey, uint32_t> named_;
  std::map<RefKey, uint32_t> refs_;
  uint32_t index_type_ = 0;
  bool legacy_enums_;
  bool added_enum64_ = false;
};

// The type and string sections of raw BTF bytes.
struct BtfParts {
  std::span<const uint8_t> types, strings;
};

// `raw` has been parsed by libbpf already; it may be in either byte order.
BtfParts parts_of(std::span<const uint8_t> raw) {
  struct btf_header h;
  std::memcpy(&h, raw.data(), sizeof h);
  if (h.magic != BTF_MAGIC)
    for (uint32_t* f : {&h.hdr_len, &h.type_off, &h.type_len, &h.str_off, &h.str_len}) *f = __builtin_bswap32(*f);
  auto part = [&](uint64_t off, uint64_t len) {
    off += h.hdr_len;
    return off + len <= raw.size() ? raw.subspan(off, len) : std::span<const uint8_t>();
  };
  return {part(h.type_off, h.type_len), part(h.str_off, h.str_len)};
}

bool starts_with(std::span<const uint8_t> s, std::span<const uint8_t> prefix) {
  return s.size() >= prefix.size() && std::memcmp(s.data(), prefix.data(), prefix.size()) == 0;
}

// The old types and strings must be prefixes of the new ones, so that every
// id and string offset outside .BTF (in .BTF.ext) still means the same.
void check_appended(std::span<const uint8_t> before, std::span<const uint8_t> after, const std::string& path) {
  BtfParts b = parts_of(before), a = parts_of(after);
  if (!starts_with(a.types, b.types) || !starts_with(a.strings, b.strings))
    throw Error(Exit::bad_input, "adding export types would move existing BTF types or strings", path);
}

struct ElfEnd {
  void operator()(Elf* e) const { elf_end(e); }
};

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

// The data of the ELF section named `name`, or nullptr.
Elf_Data* section_data(Elf* elf, const char* name) {
  size_t shstrndx = 0;
  if (elf_getshdrstrndx(elf, &shstrndx) != 0) return nullptr;
  for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn; scn = elf_nextscn(elf, scn)) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh)) return nullptr;
    const char* n = elf_strptr(elf, shstrndx, sh.sh_name);
    if (n && std::strcmp(n, name) == 0) return elf_getdata(scn, nullptr);
  }
  return nullptr;
}

}  // namespace

std::optional<std::vector<uint8_t>> add_missing_types(std::span<const uint8_t> raw_btf, const TypeTable& types,
                                                      std::span<const TypeId> wanted, const std::string& path) {
  if (raw_btf.size() < sizeof(struct btf_header))
    throw Error(Exit::bad_input, "the object's .BTF section is too short", path);
  // `legacy`: in (when set) and out, the enum encoding written.
  auto attempt = [&](std::optional<bool>& legacy, bool& enum64) {
    BtfPtr btf(btf__new(raw_btf.data(), static_cast<uint32_t>(raw_btf.size())));
    if (!btf)
      throw Error(Exit::bad_input, std::string("cannot read the object's .BTF: ") + std::strerror(errno), path);
    if (!legacy) legacy = legacy_enum_signedness(btf.get());
    TypeAdder adder(btf.get(), types, *legacy, path);
    size_t added = 0;
    for (TypeId id : wanted) {
      if (adder.has(id)) continue;
      adder.add(id);
      ++added;
    }
    enum64 = adder.added_enum64();
    if (added == 0) btf.reset();
    return btf;
  };
  std::optional<bool> legacy;
  bool enum64 = false;
  BtfPtr btf = attempt(legacy, enum64);
  if (!btf) return std::nullopt;
  if (*legacy && enum64) {
    legacy = false;
    btf = attempt(legacy, enum64);
  }
  uint32_t size = 0;
  const auto* data = static_cast<const uint8_t*>(btf__raw_data(btf.get(), &size));
  if (!data) throw Error(Exit::bad_input, "cannot write the object's extended .BTF", path);
  std::vector<uint8_t> out(data, data + size);
  check_appended(raw_btf, out, path);
  return out;
}

size_t add_missing_types_to_object(const std::string& path, const TypeTable& types, std::span<const TypeId> wanted) {
  if (elf_version(EV_CURRENT) == EV_NONE) throw Error(Exit::tool_failed, "libelf is unusable", path);
  Fd fd{open(path.c_str(), O_RDWR | O_CLOEXEC)};
  if (fd.fd < 0) throw Error(Exit::bad_input, std::string("cannot open the object: ") + std::strerror(errno), path);
  std::unique_ptr<Elf, ElfEnd> elf(elf_begin(fd.fd, ELF_C_RDWR, nullptr));
  if (!elf) throw Error(Exit::bad_input, std::string("cannot read the object: ") + elf_errmsg(-1), path);
  if (elf_kind(elf.get()) != ELF_K_ELF) throw Error(Exit::bad_input, "not an ELF object", path);
  Elf_Data* data = section_data(elf.get(), ".BTF");
  if (!data || !data->d_buf) throw Error(Exit::bad_input, "the object has no .BTF section", path);

  std::span<const uint8_t> old(static_cast<const uint8_t*>(data->d_buf), data->d_size);
  std::optional<std::vector<uint8_t>> raw = add_missing_types(old, types, wanted, path);
  if (!raw) return 0;
  size_t before = btf_type_count(old), after = btf_type_count(*raw);
  // libelf lays the file out again; every other section keeps its bytes.
  data->d_buf = raw->data();
  data->d_size = raw->size();
  elf_flagdata(data, ELF_C_SET, ELF_F_DIRTY);
  if (elf_update(elf.get(), ELF_C_WRITE) < 0)
    throw Error(Exit::bad_input, std::string("cannot rewrite the object's .BTF: ") + elf_errmsg(-1), path);
  return after - before;
}

size_t btf_type_count(std::span<const uint8_t> raw_btf) {
  BtfPtr btf(btf__new(raw_btf.data(), static_cast<uint32_t>(raw_btf.size())));
  return btf ? btf__type_cnt(btf.get()) - 1 : 0;
}

}  // namespace ecc
