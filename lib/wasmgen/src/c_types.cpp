// wasm32 C types from the layout plan, with the static checks that keep them
// honest, and the JSON printers app.c uses (same keys as `ecli -j`).
#include <cstdint>
#include <limits>

#include "c_emit.h"
#include "ecc/wasmgen.h"

namespace ecc::wasmgen::c {

namespace {

std::string int_name(uint32_t size, bool is_signed) {
  return std::string(is_signed ? "int" : "uint") + std::to_string(size * 8) + "_t";
}

const WRecord& rec_of(const WPlan& plan, const WType& t) { return plan.records.at(t.record); }

std::string attributes(const WRecord& r) {
  if (r.packed) return "__attribute__((packed, aligned(" + std::to_string(r.align) + "))) ";
  if (r.natural_align < r.align) return "__attribute__((aligned(" + std::to_string(r.align) + "))) ";
  return "";
}

std::string body(const WPlan& plan, const WRecord& r, const std::string& indent) {
  std::string out = "{\n";
  std::string in = indent + "\t";
  for (const WField& f : r.fields) {
    switch (f.role) {
      case WField::Role::Member:
        out += in + decl(plan, f.type, f.name, in) + ";";
        break;
      case WField::Role::Padding:
        out += in + "uint8_t " + f.name + "[" + std::to_string(f.size) + "];";
        break;
      case WField::Role::BitStorage: {
        out += in + "uint8_t " + f.name + "[" + std::to_string(f.size) + "]; /* bitfields:";
        for (const WBit& b : f.bits) out += " " + b.name;
        out += " (see the accessors) */";
        break;
      }
      case WField::Role::NativeBits:
        for (size_t i = 0; i < f.bits.size(); ++i) {
          const WBit& b = f.bits[i];
          out += (i ? "\n" : "") + in + int_name(b.type.size, b.type.is_signed) + " " + b.name + " : " +
                 std::to_string(b.bit_size) + ";";
        }
        break;
    }
    out += "\n";
  }
  return out + indent + "}";
}

std::string array_suffix(const WType& t) {
  std::string s;
  for (const WType* a = &t; a->kind == WKind::Array; a = a->elem.get()) s += "[" + std::to_string(a->count) + "]";
  return s;
}

const WType& array_base(const WType& t) {
  const WType* a = &t;
  while (a->kind == WKind::Array) a = a->elem.get();
  return *a;
}

// Every member's offset, through inline anonymous records (`a.b`, or `b`
// alone for an anonymous member: C makes its members the parent's).
void offset_asserts(std::string& out, const WPlan& plan, const WRecord& r, const std::string& type_name,
                    const std::string& path, uint32_t base) {
  for (const WField& f : r.fields) {
    if (f.role == WField::Role::NativeBits) continue;  // offsetof cannot name a bitfield
    std::string p = path + f.name;
    uint32_t off = base + f.offset;
    if (!f.name.empty())
      out += "_Static_assert(offsetof(" + type_name + ", " + p + ") == " + std::to_string(off) + ", \"" + type_name +
             "." + p + ": offset differs from the BPF side\");\n";
    if (f.role == WField::Role::Member && f.type.kind == WKind::Record && rec_of(plan, f.type).inline_anonymous)
      offset_asserts(out, plan, rec_of(plan, f.type), type_name, f.name.empty() ? path : p + ".", off);
  }
}

void json_value(std::string& out, const WPlan& plan, const WType& t, const std::string& expr, const std::string& ind,
                int depth);

std::string key(const std::string& name, bool& first) {
  std::string k = std::string(first ? "" : ",") + "\\\"" + name + "\\\":";
  first = false;
  return "ewasm_json_raw(\"" + k + "\");";
}

void bit_value(std::string& out, const WBit& b, const std::string& value, const std::string& ind) {
  switch (b.type.kind) {
    case WKind::Bool:
      out += ind + "ewasm_json_bool(" + value + " != 0);\n";
      break;
    default:
      out += ind + (b.type.is_signed ? "ewasm_json_i64((int64_t)(" : "ewasm_json_u64((uint64_t)(") + value + "));\n";
  }
}

void json_fields(std::string& out, const WPlan& plan, const WRecord& r, const std::string& prefix,
                 const std::string& ind, bool& first, int depth) {
  for (const WField& f : r.fields) {
    switch (f.role) {
      case WField::Role::Padding:
        break;
      case WField::Role::Member:
        if (f.name.empty() && f.type.kind == WKind::Record) {
          json_fields(out, plan, rec_of(plan, f.type), prefix, ind, first, depth);
        } else {
          out += ind + key(f.name, first) + "\n";
          json_value(out, plan, f.type, prefix + f.name, ind, depth);
        }
        break;
      case WField::Role::NativeBits:
        for (const WBit& b : f.bits) {
          out += ind + key(b.name, first) + "\n";
          if (b.type.kind == WKind::Enum)
            json_value(out, plan, b.type, prefix + b.name, ind, depth);
          else
            bit_value(out, b, prefix + b.name, ind);
        }
        break;
      case WField::Role::BitStorage:
        for (const WBit& b : f.bits) {
          out += ind + key(b.name, first) + "\n";
          std::string get = std::string(b.type.is_signed ? "ewasm_bits_signed(" : "ewasm_bits_get(") + prefix +
                            f.name + ", " + std::to_string(b.bit_offset) + ", " + std::to_string(b.bit_size) + ")";
          if (b.type.kind == WKind::Enum)
            json_value(out, plan, b.type, get, ind, depth);
          else
            bit_value(out, b, get, ind);
        }
        break;
    }
  }
}

void json_value(std::string& out, const WPlan& plan, const WType& t, const std::string& expr, const std::string& ind,
                int depth) {
  switch (t.kind) {
    case WKind::Int:
    case WKind::Char:
    case WKind::Pointer:
      out += ind + (t.is_signed ? "ewasm_json_i64((int64_t)(" : "ewasm_json_u64((uint64_t)(") + expr + "));\n";
      break;
    case WKind::Bool:
      out += ind + "ewasm_json_bool((" + expr + ") != 0);\n";
      break;
    case WKind::Float:
      out += ind + "ewasm_json_f64((double)(" + expr + "));\n";
      break;
    case WKind::Enum:
      out += ind + "ewasm_json_enum_" + enum_ident(*plan.types, t.source) + "((int64_t)(" + expr + "));\n";
      break;
    case WKind::Bytes:
      out += ind + "ewasm_json_hex((const uint8_t *)&(" + expr + "), " + std::to_string(t.size) + ");\n";
      break;
    case WKind::Array: {
      if (t.elem->kind == WKind::Char) {
        // char arrays print as strings up to their first NUL, as ecli does.
        out += ind + "ewasm_json_strn(" + expr + ", " + std::to_string(t.count) + ");\n";
        break;
      }
      std::string i = "i" + std::to_string(depth);
      out += ind + "ewasm_json_raw(\"[\");\n";
      out += ind + "for (uint32_t " + i + " = 0; " + i + " < " + std::to_string(t.count) + "; " + i + "++) {\n";
      out += ind + "\tif (" + i + ") ewasm_json_raw(\",\");\n";
      json_value(out, plan, *t.elem, expr + "[" + i + "]", ind + "\t", depth + 1);
      out += ind + "}\n" + ind + "ewasm_json_raw(\"]\");\n";
      break;
    }
    case WKind::Record: {
      const WRecord& r = rec_of(plan, t);
      if (!r.inline_anonymous) {
        out += ind + "ewasm_json_" + ident(r) + "(&(" + expr + "));\n";
        break;
      }
      out += ind + "ewasm_json_raw(\"{\");\n";
      bool first = true;
      json_fields(out, plan, r, expr + ".", ind, first, depth);
      out += ind + "ewasm_json_raw(\"}\");\n";
      break;
    }
  }
}

std::string enum_literal(int64_t v, bool is_signed, uint32_t size) {
  if (v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()) return std::to_string(v);
  if (!is_signed || size < 8) return std::to_string(static_cast<uint64_t>(v)) + "ULL";
  if (v == std::numeric_limits<int64_t>::min()) return "(-9223372036854775807LL - 1)";
  return std::to_string(v) + "LL";
}

}  // namespace

std::string scalar(const WType& t) {
  switch (t.kind) {
    case WKind::Int:
    case WKind::Enum:
      return int_name(t.size, t.is_signed);
    case WKind::Pointer:
      return "uint64_t";
    case WKind::Bool:
      return t.size == 1 ? "_Bool" : int_name(t.size, false);
    case WKind::Char:
      return "char";
    case WKind::Float:
      return t.size == 4 ? "float" : "double";
    default:
      return "uint8_t";
  }
}

std::string decl(const WPlan& plan, const WType& t, const std::string& name, const std::string& indent) {
  const WType& base = array_base(t);
  std::string suffix = array_suffix(t);
  if (base.kind == WKind::Bytes) suffix += "[" + std::to_string(base.size) + "]";
  std::string declarator = name + suffix;
  if (base.kind == WKind::Record) {
    const WRecord& r = rec_of(plan, base);
    if (r.inline_anonymous)
      return std::string(r.is_union ? "union " : "struct ") + attributes(r) + body(plan, r, indent) +
             (declarator.empty() ? "" : " " + declarator);
    return r.c_name() + " " + declarator;
  }
  return scalar(base) + " " + declarator;
}

std::string definition(const WPlan& plan, const WRecord& r) {
  std::string kw = r.is_union ? "union " : "struct ";
  if (!r.typedef_name.empty()) return "typedef " + kw + attributes(r) + body(plan, r, "") + " " + r.typedef_name + ";\n";
  return kw + attributes(r) + r.tag + " " + body(plan, r, "") + ";\n";
}

std::string asserts(const WPlan& plan, const WRecord& r, const std::string& type_name) {
  std::string out = "_Static_assert(sizeof(" + type_name + ") == " + std::to_string(r.size) + ", \"" + type_name +
                    ": size differs from the BPF side\");\n";
  out += "_Static_assert(_Alignof(" + type_name + ") == " + std::to_string(r.align) + ", \"" + type_name +
         ": alignment differs from the BPF side\");\n";
  offset_asserts(out, plan, r, type_name, "", 0);
  return out;
}

std::string accessors(const WPlan& plan, const WRecord& r, const std::string& type_name) {
  std::string out;
  // Storage runs of this record and of its inline anonymous members.
  auto walk = [&](auto&& self, const WRecord& rec, const std::string& path) -> void {
    for (const WField& f : rec.fields) {
      if (f.role == WField::Role::BitStorage) {
        for (const WBit& b : f.bits) {
          std::string ret = b.type.is_signed ? "int64_t" : "uint64_t";
          out += "static inline " + ret + " " + ident(r) + "__" + b.name + "(const " + type_name + " *p)\n{\n\treturn " +
                 (b.type.is_signed ? "ewasm_bits_signed(" : "ewasm_bits_get(") + "p->" + path + f.name + ", " +
                 std::to_string(b.bit_offset) + ", " + std::to_string(b.bit_size) + ");\n}\n";
        }
      } else if (f.role == WField::Role::Member && f.type.kind == WKind::Record &&
                 rec_of(plan, f.type).inline_anonymous) {
        self(self, rec_of(plan, f.type), f.name.empty() ? path : path + f.name + ".");
      }
    }
  };
  walk(walk, r, "");
  return out;
}

std::string json_printer(const WPlan& plan, const WRecord& r, const std::string& type_name) {
  std::string out = "static inline void ewasm_json_" + ident(r) + "(const " + type_name + " *p)\n{\n";
  out += "\tewasm_json_raw(\"{\");\n";
  bool first = true;
  json_fields(out, plan, r, "p->", "\t", first, 0);
  out += "\tewasm_json_raw(\"}\");\n}\n";
  return out;
}

std::string enum_ident(const TypeTable& types, TypeId id) {
  const Type& t = types.at(id);
  return t.name.empty() ? "anon_enum_" + std::to_string(id) : t.name;
}

std::string enum_definition(const TypeTable& types, TypeId id) {
  const Type& t = types.at(id);
  std::string out;
  if (!t.values.empty()) {
    out += "enum " + t.name + (t.name.empty() ? "" : " ") + "{\n";
    for (const EnumValue& v : t.values) out += "\t" + v.name + " = " + enum_literal(v.value, t.is_signed, t.size) + ",\n";
    out += "};\n";
  }
  out += "static inline void ewasm_json_enum_" + enum_ident(types, id) + "(int64_t v)\n{\n";
  for (const EnumValue& v : t.values)
    out += "\tif (v == (int64_t)" + enum_literal(v.value, t.is_signed, t.size) + ") {\n\t\tewasm_json_raw(\"\\\"" +
           v.name + "\\\"\");\n\t\treturn;\n\t}\n";
  out += t.is_signed ? "\tewasm_json_i64(v);\n}\n" : "\tewasm_json_u64((uint64_t)v);\n}\n";
  return out;
}

std::string ident(const WRecord& r) { return sanitize_ident(r.rust_name); }

}  // namespace ecc::wasmgen::c
