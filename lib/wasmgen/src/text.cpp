// Literals and the template engine: the small text tools of the emitters.
#include <cctype>

#include "ecc/error.h"
#include "ecc/wasmgen.h"

namespace ecc::wasmgen {

std::string c_string_literal(std::string_view s, size_t width) {
  static const char hex[] = "0123456789abcdef";
  std::string out = "\"";
  size_t line = 0;
  bool after_hex = false;  // "\x4" followed by 'a' would read as "\x4a"
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    std::string piece;
    bool is_hex = false;
    switch (c) {
      case '"': piece = "\\\""; break;
      case '\\': piece = "\\\\"; break;
      case '\n': piece = "\\n"; break;
      case '\t': piece = "\\t"; break;
      case '\r': piece = "\\r"; break;
      case '?': piece = "\\?"; break;  // no trigraphs
      default:
        if (c < 0x20 || c >= 0x7f) {
          piece = std::string("\\x") + hex[c >> 4] + hex[c & 15];
          is_hex = true;
        } else {
          if (after_hex && std::isxdigit(c)) out += "\"\"";
          piece = std::string(1, static_cast<char>(c));
        }
    }
    out += piece;
    after_hex = is_hex;
    line += piece.size();
    // Break after a newline or when the line is long, never inside an escape.
    if (i + 1 < s.size() && ((c == '\n' && line > 20) || line >= width)) {
      out += "\"\n\t\"";
      line = 0;
      after_hex = false;
    }
  }
  return out + "\"";
}

std::string c_byte_list(std::span<const uint8_t> bytes) {
  static const char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 6 + bytes.size() / 16 * 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i % 16 == 0) out += i ? "\n\t" : "\t";
    out += "0x";
    out += hex[bytes[i] >> 4];
    out += hex[bytes[i] & 15];
    if (i + 1 < bytes.size()) out += i % 16 == 15 ? "," : ", ";
  }
  return out;
}

std::string render(std::string_view tmpl, const Vars& vars, const std::string& template_file) {
  std::string out;
  size_t pos = 0;
  while (true) {
    size_t open = tmpl.find("{{", pos);
    if (open == std::string_view::npos) break;
    size_t close = tmpl.find("}}", open + 2);
    if (close == std::string_view::npos)
      throw Error(Exit::bad_input, "template has an unclosed '{{' at byte " + std::to_string(open), template_file);
    std::string name(tmpl.substr(open + 2, close - open - 2));
    auto it = vars.find(name);
    if (it == vars.end())
      throw Error(Exit::bad_input, "template uses an unknown variable '{{" + name + "}}'", template_file);
    out.append(tmpl.substr(pos, open - pos));
    out += it->second;
    pos = close + 2;
  }
  out.append(tmpl.substr(pos));
  return out;
}

}  // namespace ecc::wasmgen
