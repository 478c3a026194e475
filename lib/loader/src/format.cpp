// Bytes of a record -> JSON values and aligned text rows.
#include <charconv>
#include <cinttypes>
#include <cmath>
#include <cstring>

#include "ecc/loader.h"

namespace ecc::loader {

namespace {

using u128 = unsigned __int128;

u128 load_le(const uint8_t* p, size_t n) {
  u128 v = 0;
  for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
  return v;
}

// How many bytes a field's value reads from its offset (a bitfield's span).
size_t bytes_needed(const Field& f) { return f.bit_size ? (f.bit_offset + f.bit_size + 7) / 8 : f.size; }

// The integer value of a scalar field (bitfields included), sign-extended.
// Returns false when the field does not fit in 64 bits.
bool int_value(const Field& f, const uint8_t* p, int64_t& s, uint64_t& u) {
  unsigned bits;
  u128 raw;
  if (f.bit_size) {
    raw = load_le(p, bytes_needed(f)) >> f.bit_offset;
    bits = f.bit_size;
  } else {
    if (f.size > 8 || f.size == 0) return false;
    raw = load_le(p, f.size);
    bits = f.size * 8;
  }
  u = bits >= 64 ? static_cast<uint64_t>(raw) : static_cast<uint64_t>(raw) & ((uint64_t{1} << bits) - 1);
  if (f.is_signed && bits < 64 && (u >> (bits - 1)) & 1)
    s = static_cast<int64_t>(u | ~((uint64_t{1} << bits) - 1));
  else
    s = static_cast<int64_t>(u);
  return true;
}

// The value of a float or double field; false for another size.
bool float_value(const Field& f, const uint8_t* p, double& v) {
  if (f.size == 4) {
    float x;
    std::memcpy(&x, p, 4);
    v = x;
    return true;
  }
  if (f.size == 8) {
    std::memcpy(&v, p, 8);
    return true;
  }
  return false;
}

std::string hex(const uint8_t* p, size_t n) {
  static const char digits[] = "0123456789abcdef";
  std::string out = "0x";
  for (size_t i = n; i-- > 0;) {  // little-endian: most significant byte last
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

std::string enum_name(const Field& f, int64_t s, uint64_t u) {
  for (const auto& v : f.values)
    if (v.value == s || static_cast<uint64_t>(v.value) == u) return v.name;
  return f.is_signed ? std::to_string(s) : std::to_string(u);
}

Json plain_value_at(const Field& f, const uint8_t* p, size_t avail);

// A field's value; a formatted one (a gadget's typedefs) as format_json has it.
Json value_at(const Field& f, const uint8_t* p, size_t avail) {
  if (f.format != Field::Format::plain) return format_json(f, p, avail);
  return plain_value_at(f, p, avail);
}

Json plain_value_at(const Field& f, const uint8_t* p, size_t avail) {
  if (bytes_needed(f) > avail) return nullptr;  // a short record: nothing to show
  int64_t s = 0;
  uint64_t u = 0;
  switch (f.kind) {
    case Field::Kind::Int:
    case Field::Kind::Char:
      if (!int_value(f, p, s, u)) return hex(p, f.size);
      return f.is_signed ? Json(s) : Json(u);
    case Field::Kind::Bool:
      int_value(f, p, s, u);
      return u != 0;
    case Field::Kind::Enum:
      if (!int_value(f, p, s, u)) return hex(p, f.size);
      return enum_name(f, s, u);
    case Field::Kind::Float: {
      double v;
      if (!float_value(f, p, v)) return hex(p, f.size);
      return v;
    }
    case Field::Kind::String: {
      size_t n = strnlen(reinterpret_cast<const char*>(p), f.size);
      std::string str(reinterpret_cast<const char*>(p), n);
      // Not UTF-8? Keep the bytes visible rather than failing the dump.
      for (char& c : str)
        if (static_cast<unsigned char>(c) >= 0x80) c = '?';
      return str;
    }
    case Field::Kind::Array: {
      Json arr = Json::array();
      const Field& e = f.children.at(0);
      for (uint32_t i = 0; i < f.count; i++) arr.push_back(value_at(e, p + i * e.size, avail - i * e.size));
      return arr;
    }
    case Field::Kind::Record: {
      Json obj = Json::object();
      for (const Field& c : f.children) {
        if (c.offset > avail) {
          obj[c.target.empty() ? c.name : c.target] = nullptr;
          continue;
        }
        obj[c.target.empty() ? c.name : c.target] = value_at(c, p + c.offset, avail - c.offset);
        if (!c.target.empty()) obj[c.name] = plain_value_at(c, p + c.offset, avail - c.offset);
      }
      return obj;
    }
    case Field::Kind::Raw:
      return hex(p, f.size);
  }
  return nullptr;
}

void append_string(std::string& out, const char* s, size_t n) {
  static const char digits[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < n; i++) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20) {
      out += "\\u00";
      out += digits[c >> 4];
      out += digits[c & 15];
    } else if (c >= 0x80) {
      out += '?';  // same as decode(): bytes, not necessarily UTF-8
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

template <typename T>
void append_number(std::string& out, T v) {
  char b[32];
  auto r = std::to_chars(b, b + sizeof b, v);
  out.append(b, r.ptr);
}

void append_member(std::string& out, const std::string& name, bool& first) {
  if (!first) out += ',';
  first = false;
  append_string(out, name.data(), name.size());
  out += ':';
}

// `plain`: a formatted field's own number (the "x_raw" of an "x").
void append_at(std::string& out, const Field& f, const uint8_t* p, size_t avail, bool plain = false) {
  if (bytes_needed(f) > avail) {
    out += "null";
    return;
  }
  if (f.format != Field::Format::plain && !plain) {
    out += format_json(f, p, avail).dump(-1, ' ', false, Json::error_handler_t::replace);
    return;
  }
  int64_t s = 0;
  uint64_t u = 0;
  switch (f.kind) {
    case Field::Kind::Int:
    case Field::Kind::Char:
      if (!int_value(f, p, s, u)) append_string(out, hex(p, f.size).c_str(), f.size * 2 + 2);
      else if (f.is_signed) append_number(out, s);
      else append_number(out, u);
      return;
    case Field::Kind::Bool:
      int_value(f, p, s, u);
      out += u ? "true" : "false";
      return;
    case Field::Kind::String:
      append_string(out, reinterpret_cast<const char*>(p), strnlen(reinterpret_cast<const char*>(p), f.size));
      return;
    case Field::Kind::Array: {
      const Field& e = f.children.at(0);
      out += '[';
      for (uint32_t i = 0; i < f.count; i++) {
        if (i) out += ',';
        append_at(out, e, p + i * e.size, avail - i * e.size);
      }
      out += ']';
      return;
    }
    case Field::Kind::Record: {
      out += '{';
      bool first = true;
      for (const Field& c : f.children) {
        size_t left = c.offset <= avail ? avail - c.offset : 0;
        append_member(out, c.target.empty() ? c.name : c.target, first);
        append_at(out, c, p + c.offset, left);
        if (c.target.empty()) continue;
        append_member(out, c.name, first);
        append_at(out, c, p + c.offset, left, true);
      }
      out += '}';
      return;
    }
    case Field::Kind::Float: {
      Json v = value_at(f, p, avail);
      if (v.is_number_float() && !std::isfinite(v.get<double>())) out += "null";
      else out += v.dump();
      return;
    }
    default:
      out += value_at(f, p, avail).dump(-1, ' ', false, Json::error_handler_t::replace);
  }
}

size_t natural_width(const Field& f) {
  switch (f.format) {
    case Field::Format::timestamp: return 30;
    case Field::Format::l3endpoint: return 15;
    case Field::Format::l4endpoint: return 21;
    case Field::Format::file_mode: return 10;
    case Field::Format::syscall_name:
    case Field::Format::file_flags: return 16;
    case Field::Format::plain: break;
    default: return 8;
  }
  switch (f.kind) {
    case Field::Kind::Int:
    case Field::Kind::Char:
      return f.size >= 8 ? 12 : 7;
    case Field::Kind::Bool:
      return 5;
    case Field::Kind::Enum:
      return 10;
    case Field::Kind::Float:
      return 10;
    case Field::Kind::String:
      return std::min<size_t>(f.size ? f.size - 1 : 0, 16);
    default:
      return 8;
  }
}

}  // namespace

Json decode(const Field& f, std::span<const uint8_t> data) {
  if (f.offset > data.size()) return nullptr;
  return value_at(f, data.data() + f.offset, data.size() - f.offset);
}

void append_json(std::string& out, const Field& f, std::span<const uint8_t> data) {
  if (f.offset > data.size()) {
    out += "null";
    return;
  }
  append_at(out, f, data.data() + f.offset, data.size() - f.offset);
}

namespace {

// Where a plain (unformatted) field's bytes start in `data`, or null when
// the record is short of them: the fields the per-event readers below take
// straight from the bytes.
const uint8_t* plain_bytes(const Field& f, std::span<const uint8_t> data) {
  if (f.format != Field::Format::plain || f.offset > data.size() || bytes_needed(f) > data.size() - f.offset)
    return nullptr;
  return data.data() + f.offset;
}

// The text of a plain integer, boolean or string straight from its bytes
// (an @metric label is one per event); false for anything else, which
// goes through decode. The same text as decode's value gives.
bool scalar_text(std::string& out, const Field& f, const uint8_t* p) {
  int64_t s = 0;
  uint64_t u = 0;
  switch (f.kind) {
    case Field::Kind::Int:
    case Field::Kind::Char: {
      if (!int_value(f, p, s, u)) return false;
      char buf[24];
      auto r = f.is_signed ? std::to_chars(buf, buf + sizeof buf, s) : std::to_chars(buf, buf + sizeof buf, u);
      out.assign(buf, r.ptr);
      return true;
    }
    case Field::Kind::Bool:
      int_value(f, p, s, u);
      out = u != 0 ? "true" : "false";
      return true;
    case Field::Kind::String:
      out.assign(reinterpret_cast<const char*>(p), strnlen(reinterpret_cast<const char*>(p), f.size));
      for (char& c : out)
        if (static_cast<unsigned char>(c) >= 0x80) c = '?';  // as plain_value_at
      return true;
    default:
      return false;
  }
}

}  // namespace

void decode_text(std::string& out, const Field& f, std::span<const uint8_t> data) {
  if (const uint8_t* p = plain_bytes(f, data); p && scalar_text(out, f, p)) return;
  Json v = decode(f, data);
  out = v.is_string() ? v.get<std::string>() : v.dump(-1, ' ', false, Json::error_handler_t::replace);
}

double decode_number(const Field& f, std::span<const uint8_t> data) {
  const uint8_t* p = plain_bytes(f, data);
  if (!p) return 0;
  int64_t s = 0;
  uint64_t u = 0;
  switch (f.kind) {
    case Field::Kind::Int:
    case Field::Kind::Char:
      if (!int_value(f, p, s, u)) return 0;
      return f.is_signed ? double(s) : double(u);
    case Field::Kind::Bool:
      int_value(f, p, s, u);
      return u != 0 ? 1 : 0;
    case Field::Kind::Float: {
      double v;
      return float_value(f, p, v) ? v : 0;
    }
    default:
      return 0;
  }
}

std::string decode_text(const Field& f, std::span<const uint8_t> data) {
  std::string out;
  decode_text(out, f, data);
  return out;
}

TextTable::TextTable(const Field& record, bool flatten) {
  add_columns(record, 0, "", flatten);
  // Leaves of nested records that share a name are told apart by their parent.
  std::vector<size_t> same(columns_.size(), 0);
  for (size_t i = 0; i < columns_.size(); i++)
    for (const Column& d : columns_) same[i] += d.title == columns_[i].title;
  for (size_t i = 0; i < columns_.size(); i++)
    if (same[i] > 1) columns_[i].title = columns_[i].path;
  for (Column& c : columns_) c.width = c.field->width ? c.field->width : std::max(c.title.size(), natural_width(*c.field));
}

void TextTable::add_columns(const Field& record, uint32_t base, const std::string& prefix, bool flatten) {
  for (const Field& c : record.children) {
    if (c.hidden) continue;
    if (flatten && c.kind == Field::Kind::Record && c.format == Field::Format::plain) {
      add_columns(c, base + c.offset, prefix + c.name + ".", true);
      continue;
    }
    const std::string& shown = c.target.empty() ? c.name : c.target;
    columns_.push_back({&c, base, shown, prefix + shown, 0});
  }
}

static void pad_to(std::string& line, const std::string& cell, size_t width, bool right = false) {
  if (right && cell.size() < width) line.append(width - cell.size(), ' ');
  line += cell;
  if (!right && cell.size() < width) line.append(width - cell.size(), ' ');
  line += ' ';
}

std::string TextTable::header() const {
  std::string line;
  pad_to(line, "TIME", 8);
  for (size_t i = 0; i < columns_.size(); i++) {
    std::string name = columns_[i].title;
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    bool last = i + 1 == columns_.size();
    pad_to(line, name, last && !columns_[i].field->align_right ? 0 : columns_[i].width, columns_[i].field->align_right);
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

std::string TextTable::row(std::span<const uint8_t> data, const std::string& time) const {
  std::string line;
  pad_to(line, time, 8);
  for (size_t i = 0; i < columns_.size(); i++) {
    const Column& c = columns_[i];
    std::string cell;
    if (c.base <= data.size()) {
      auto rec = data.subspan(c.base);
      if (c.field->format != Field::Format::plain && c.field->offset <= rec.size())
        cell = format_text(*c.field, rec.data() + c.field->offset, rec.size() - c.field->offset);
      else
        cell = decode_text(*c.field, rec);
    }
    bool last = i + 1 == columns_.size();
    pad_to(line, cell, last && !c.field->align_right ? 0 : c.width, c.field->align_right);
  }
  while (!line.empty() && line.back() == ' ') line.pop_back();
  return line;
}

}  // namespace ecc::loader
