// Stable text forms of the JSON: pretty JSON and the same tree as YAML.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "ecc/error.h"
#include "ecc/skelgen.h"

namespace ecc {

std::string dump_json(const Json& j) {
  try {
    return j.dump(2) + "\n";
  } catch (const nlohmann::json::type_error& e) {
    // The only way dump() fails: a string from a source comment that is
    // not UTF-8.
    throw Error(Exit::bad_input, std::string("cannot write JSON: ") + e.what());
  }
}

namespace {

// `text`, a dump(2) of one value, as a member's value inside an object
// dumped with dump(2): every line after its first is indented 2 more. JSON
// strings hold no raw newline, so every '\n' starts a line of the layout.
void append_nested(std::string& out, std::string_view text) {
  if (text.ends_with('\n')) text.remove_suffix(1);
  for (size_t at = 0;;) {
    size_t eol = text.find('\n', at);
    out.append(text.substr(at, eol == std::string_view::npos ? std::string_view::npos : eol + 1 - at));
    if (eol == std::string_view::npos) return;
    out.append("  ");
    at = eol + 1;
  }
}

}  // namespace

std::string dump_json_object(const std::vector<std::pair<std::string, std::string_view>>& members) {
  if (members.empty()) return "{}\n";
  size_t size = 8;
  for (const auto& [key, text] : members) size += key.size() + text.size() * 11 / 10 + 8;
  std::string out;
  out.reserve(size);
  out.append("{");
  for (const auto& [key, text] : members) {
    out.append(out.size() == 1 ? "\n  " : ",\n  ").append(Json(key).dump()).append(": ");
    append_nested(out, text);
  }
  out.append("\n}\n");
  return out;
}

std::string dump_package_json(std::string_view meta_text, std::string_view bpf_object_base64, size_t bpf_object_size,
                              const Json* btf_archive) {
  std::string object = "\"" + std::string(bpf_object_base64) + "\"";
  std::string size = std::to_string(bpf_object_size);
  std::string archive = btf_archive ? dump_json(*btf_archive) : "";
  std::vector<std::pair<std::string, std::string_view>> members = {
      {"bpf_object", object}, {"bpf_object_size", size}, {"meta", meta_text}};
  if (btf_archive) members.emplace_back("btf_archive", archive);
  return dump_json_object(members);
}

// YAML 1.1 readers (yaml-cpp among them) turn these plain scalars into
// booleans or null, so a string with this text must be quoted.
static bool is_yaml_keyword(const std::string& s) {
  static constexpr std::array<std::string_view, 12> words = {
      "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~", "nan", "inf"};
  std::string lower(s);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(words.begin(), words.end(), lower) != words.end();
}

// Plain only when a reader cannot take the text for a number, boolean,
// null or YAML syntax: starts with a letter or '_', and has no character
// that could begin an indicator. Everything else is double-quoted.
static bool plain_is_safe(const std::string& s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (unsigned char c : s)
    if (!(std::isalnum(c) || c == '_' || c == '.' || c == '/' || c == '+' || c == '=' || c == '-'))
      return false;
  return !is_yaml_keyword(s);
}

static void emit_string(YAML::Emitter& out, const std::string& s) {
  if (plain_is_safe(s))
    out << s;
  else
    out << YAML::DoubleQuoted << s;
}

static void emit(YAML::Emitter& out, const Json& j) {
  switch (j.type()) {
    case Json::value_t::object:
      if (j.empty()) {
        out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
        return;
      }
      out << YAML::BeginMap;
      for (const auto& [key, value] : j.items()) {
        out << YAML::Key;
        emit_string(out, key);
        out << YAML::Value;
        emit(out, value);
      }
      out << YAML::EndMap;
      return;
    case Json::value_t::array:
      if (j.empty()) {
        out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
        return;
      }
      out << YAML::BeginSeq;
      for (const Json& v : j) emit(out, v);
      out << YAML::EndSeq;
      return;
    case Json::value_t::string:
      emit_string(out, j.get<std::string>());
      return;
    case Json::value_t::null:
      out << YAML::Null;  // "~": a plain "null" would be quoted by yaml-cpp
      return;
    default:
      // booleans and numbers: JSON's own spelling is also YAML's
      // (and round-trips doubles exactly).
      out << j.dump();
      return;
  }
}

std::string dump_yaml(const Json& j) {
  YAML::Emitter out;
  out.SetIndent(2);
  emit(out, j);
  if (!out.good()) throw Error(Exit::bad_input, "cannot write YAML: " + out.GetLastError());
  return std::string(out.c_str()) + "\n";
}

}  // namespace ecc
