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

namespace {

struct Scope {
  const Context* ctx;
  const Scope* outer;
};

const std::string* find_var(const Scope* s, const std::string& name) {
  for (; s; s = s->outer)
    if (auto it = s->ctx->vars.find(name); it != s->ctx->vars.end()) return &it->second;
  return nullptr;
}

const std::vector<Context>* find_list(const Scope* s, const std::string& name) {
  for (; s; s = s->outer)
    if (auto it = s->ctx->lists.find(name); it != s->ctx->lists.end()) return &it->second;
  return nullptr;
}

size_t skip_newline(std::string_view t, size_t pos) { return pos < t.size() && t[pos] == '\n' ? pos + 1 : pos; }

void render_into(std::string& out, std::string_view tmpl, size_t base, const Scope* scope, const std::string& file) {
  size_t pos = 0;
  while (true) {
    size_t open = tmpl.find("{{", pos);
    if (open == std::string_view::npos) break;
    while (open + 2 < tmpl.size() && tmpl[open + 2] == '{') ++open;  // "{{{x}}": a literal '{' then {{x}}
    size_t close = tmpl.find("}}", open + 2);
    if (close == std::string_view::npos)
      throw Error(Exit::bad_input, "template has an unclosed '{{' at byte " + std::to_string(base + open), file);
    std::string name(tmpl.substr(open + 2, close - open - 2));
    out.append(tmpl.substr(pos, open - pos));
    pos = close + 2;
    if (!name.empty() && name[0] == '#') {
      std::string list = name.substr(1);
      // The matching close tag, counting nested sections of the same name.
      size_t depth = 1, at = pos, end = std::string_view::npos;
      while (depth) {
        size_t o = tmpl.find("{{#" + list + "}}", at), c = tmpl.find("{{/" + list + "}}", at);
        if (c == std::string_view::npos)
          throw Error(Exit::bad_input, "template section '{{#" + list + "}}' is not closed", file);
        if (o != std::string_view::npos && o < c) {
          ++depth;
          at = o + list.size() + 5;
        } else {
          --depth;
          end = c;
          at = c + list.size() + 5;
        }
      }
      const std::vector<Context>* items = find_list(scope, list);
      if (!items) throw Error(Exit::bad_input, "template uses an unknown list '{{#" + list + "}}'", file);
      size_t inner = skip_newline(tmpl, pos);
      for (const Context& item : *items) {
        Scope s{&item, scope};
        render_into(out, tmpl.substr(inner, end - inner), base + inner, &s, file);
      }
      pos = skip_newline(tmpl, at);
      continue;
    }
    if (!name.empty() && name[0] == '/')
      throw Error(Exit::bad_input, "template closes '{{" + name + "}}' that is not open", file);
    const std::string* v = find_var(scope, name);
    if (!v) throw Error(Exit::bad_input, "template uses an unknown variable '{{" + name + "}}'", file);
    out += *v;
  }
  out.append(tmpl.substr(pos));
}

}  // namespace

std::string render_context(std::string_view tmpl, const Context& ctx, const std::string& template_file) {
  std::string out;
  Scope top{&ctx, nullptr};
  render_into(out, tmpl, 0, &top, template_file);
  return out;
}

std::string render(std::string_view tmpl, const Vars& vars, const std::string& template_file) {
  return render_context(tmpl, Context{vars, {}}, template_file);
}

}  // namespace ecc::wasmgen
