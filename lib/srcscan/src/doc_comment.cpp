// docs/annotations.md: one doc comment's text -> annotations.
#include <cctype>
#include <cstdint>
#include <sstream>
#include <string_view>

#include "ecc/srcscan.h"

namespace ecc {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// One source line of a `///` or `/** */` comment without its markers.
std::string_view strip_markers(std::string_view line) {
  line = trim(line);
  if (starts_with(line, "///")) {
    line.remove_prefix(3);
  } else if (starts_with(line, "/**") || starts_with(line, "/*!")) {
    line.remove_prefix(3);
  } else if (starts_with(line, "//!")) {
    line.remove_prefix(3);
  }
  line = trim(line);
  if (line.size() >= 2 && line.substr(line.size() - 2) == "*/") line.remove_suffix(2);
  // The leading " * " of a block comment's continuation lines.
  if (starts_with(line, "*")) line.remove_prefix(1);
  return trim(line);
}

bool is_name_char(char c) { return isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'; }

// JSON when the text is valid JSON (`{"short":"p"}`, `1000`, `true`), else
// the text itself.
Json value_of(const std::string& text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return text;
  return j;
}

void append_words(std::string& to, std::string_view text) {
  if (text.empty()) return;
  if (!to.empty()) to += ' ';
  to += text;
}

// The text with every byte that is not part of a well-formed UTF-8
// sequence replaced by U+FFFD: a comment in another encoding (Latin-1) must
// not make the annotations invalid JSON strings.
std::string valid_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
    bool ok = n > 0 && i + n <= s.size();
    uint32_t cp = n == 1 ? c : n == 2 ? c & 0x1f : n == 3 ? c & 0x0f : c & 0x07;
    for (size_t k = 1; ok && k < n; k++) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      ok = (cc & 0xc0) == 0x80;
      cp = cp << 6 | (cc & 0x3f);
    }
    // No overlong forms, surrogates or code points past U+10FFFF.
    ok = ok && !(n == 2 && cp < 0x80) && !(n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) &&
         !(n == 4 && (cp < 0x10000 || cp > 0x10ffff));
    if (ok) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      out += "\xef\xbf\xbd";
      i += 1;
    }
  }
  return out;
}

}  // namespace

Json parse_doc_comment(const std::string& raw_text, std::vector<std::string>* repeated) {
  std::string raw = valid_utf8(raw_text);
  std::string description;
  // Keys in order of appearance with their (possibly multi-line) raw values.
  std::vector<std::pair<std::string, std::string>> tags;
  std::istringstream in(raw);
  std::string line_buf;
  while (std::getline(in, line_buf)) {
    std::string_view line = strip_markers(line_buf);
    if (line.size() > 1 && line[0] == '@' && is_name_char(line[1])) {
      size_t end = 1;
      while (end < line.size() && is_name_char(line[end])) ++end;
      tags.emplace_back(std::string(line.substr(1, end - 1)), std::string(trim(line.substr(end))));
    } else if (!tags.empty()) {
      append_words(tags.back().second, line);  // the value continues up to the next @ line
    } else {
      append_words(description, line);
    }
  }
  Json out = Json::object();
  if (!description.empty()) out["description"] = description;
  for (const auto& [name, value] : tags) {
    if (repeated && out.contains(name)) repeated->push_back(name);
    out[name] = value_of(value);
  }
  return out;
}

}  // namespace ecc
