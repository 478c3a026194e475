#include "oracle_parsers.h"

#include <regex>
#include <sstream>
#include <stdexcept>

namespace ecc::test {

static std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

static std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The identifiers of `struct bpf_xxx *ident;` lines in the block that the
// line `} <block>;` closes (tab-indented once in bpftool's output).
static std::vector<std::string> block_idents(const std::vector<std::string>& lines, const std::string& block) {
  static const std::regex member(R"(^\s*struct bpf_\w+ \*(\w+);$)");
  for (size_t end = 0; end < lines.size(); ++end) {
    if (trim(lines[end]) != "} " + block + ";") continue;
    std::vector<std::string> ids;
    for (size_t i = end; i-- > 0 && trim(lines[i]) != "struct {";) {
      std::smatch m;
      if (std::regex_match(lines[i], m, member)) ids.insert(ids.begin(), m[1]);
    }
    return ids;
  }
  return {};
}

BpftoolSkeleton parse_bpftool_skeleton(const std::string& text) {
  BpftoolSkeleton s;
  auto lines = lines_of(text);
  s.map_idents = block_idents(lines, "maps");
  s.prog_idents = block_idents(lines, "progs");
  static const std::regex map_name(R"re(s->maps\[(\d+)\]\.name = "([^"]*)";)re");
  static const std::regex map_ident(R"(s->maps\[(\d+)\]\.map = &obj->maps\.(\w+);)");
  static const std::regex map_mmaped(R"(s->maps\[(\d+)\]\.mmaped = )");
  static const std::regex prog_name(R"re(s->progs\[(\d+)\]\.name = "([^"]*)";)re");
  auto map_at = [&](const std::string& idx) -> BpftoolSkeleton::Map& {
    size_t i = std::stoul(idx);
    if (s.maps.size() <= i) s.maps.resize(i + 1);
    return s.maps[i];
  };
  for (const auto& line : lines) {
    std::smatch m;
    if (std::regex_search(line, m, map_name)) map_at(m[1]).name = m[2];
    else if (std::regex_search(line, m, map_ident)) map_at(m[1]).ident = m[2];
    else if (std::regex_search(line, m, map_mmaped)) map_at(m[1]).mmaped = true;
    else if (std::regex_search(line, m, prog_name)) s.prog_names.push_back(m[2]);
  }
  return s;
}

BtfRaw parse_btf_raw(const std::string& text) {
  BtfRaw b;
  static const std::regex head(R"(^\[(\d+)\] (\w+) '([^']*)'(.*)$)");
  static const std::regex attr(R"((\w+)=([^\s,]+))");
  static const std::regex secinfo(R"(^\s+type_id=(\d+) offset=(\d+) size=(\d+) \(VAR '([^']*)'\))");
  std::string current_sec;
  for (const auto& line : lines_of(text)) {
    std::smatch m;
    if (std::regex_match(line, m, head)) {
      BtfRaw::Entry e{m[2], m[3], {}};
      std::string rest = m[4];
      for (std::sregex_iterator it(rest.begin(), rest.end(), attr), end; it != end; ++it)
        e.attrs[(*it)[1]] = (*it)[2];
      current_sec = e.kind == "DATASEC" ? e.name : "";
      if (e.kind == "DATASEC") b.datasecs[e.name];
      b.types[std::stoul(m[1])] = std::move(e);
    } else if (!current_sec.empty() && std::regex_search(line, m, secinfo)) {
      b.datasecs[current_sec].push_back({static_cast<uint32_t>(std::stoul(m[1])),
                                         static_cast<uint32_t>(std::stoul(m[2])),
                                         static_cast<uint32_t>(std::stoul(m[3])), m[4]});
    }
  }
  return b;
}

std::optional<uint32_t> BtfRaw::find_record_or_enum(const std::string& name) const {
  for (const auto& [id, e] : types) {
    if (e.name != name) continue;
    if (e.kind == "STRUCT" || e.kind == "UNION" || e.kind == "ENUM" || e.kind == "ENUM64") return id;
    if (e.kind == "TYPEDEF") return static_cast<uint32_t>(std::stoul(e.attrs.at("type_id")));
  }
  return std::nullopt;
}

namespace {

// Recursive reader of one `{ ... }` body of pahole's output.
class PaholeReader {
 public:
  explicit PaholeReader(std::vector<std::string> lines) : lines_(std::move(lines)) {}

  PaholeType read() {
    static const std::regex top(R"(^(typedef )?(struct|union|enum)( \w+)? \{$)");
    for (; pos_ < lines_.size(); ++pos_) {
      std::smatch m;
      if (!std::regex_match(lines_[pos_], m, top)) continue;
      ++pos_;
      PaholeType t;
      t.is_enum = m[2] == "enum";
      if (t.is_enum)
        t.enum_values = enum_body();
      else
        t.members = body();
      return t;
    }
    throw std::runtime_error("no struct, union or enum in pahole output");
  }

 private:
  std::vector<std::pair<std::string, int64_t>> enum_body() {
    static const std::regex value(R"(^\s*(\w+)\s*=\s*(-?\d+),?$)");
    std::vector<std::pair<std::string, int64_t>> out;
    for (; pos_ < lines_.size() && trim(lines_[pos_]).rfind('}', 0) != 0; ++pos_) {
      std::smatch m;
      if (std::regex_match(lines_[pos_], m, value)) out.emplace_back(m[1], std::stoll(m[2]));
    }
    return out;
  }

  // Members up to the closing line of this body; leaves pos_ on that line.
  std::vector<PaholeMember> body() {
    static const std::regex member(
        R"(^\s*.*?\b(\w+)((?:\[\d*\])*)(?::(\d+))?;\s*/\*\s*(\d+)(?::\s*(\d+))?\s+(\d+)\s*\*/\s*$)");
    static const std::regex close_member(R"(^\s*\}\s*(\w*)((?:\[\d*\])*);\s*/\*\s*(\d+)\s+(\d+)\s*\*/\s*$)");
    std::vector<PaholeMember> out;
    for (; pos_ < lines_.size(); ++pos_) {
      std::string t = trim(lines_[pos_]);
      if (t.empty() || t.rfind("/*", 0) == 0) continue;
      if (t[0] == '}') return out;
      if (t.back() == '{') {
        ++pos_;
        std::vector<PaholeMember> inner = body();
        std::smatch m;
        // pahole 1.24 also prints the bodies of anonymous member types on
        // their own, with relative offsets and a bare `};`: only a closing
        // line with an offset comment is a member of this record.
        if (pos_ < lines_.size() && std::regex_match(lines_[pos_], m, close_member)) {
          PaholeMember pm{m[1], static_cast<uint32_t>(std::stoul(m[3])),
                          static_cast<uint32_t>(std::stoul(m[4])), 0, 0, std::move(inner)};
          out.push_back(std::move(pm));
        }
        continue;
      }
      std::smatch m;
      if (!std::regex_match(lines_[pos_], m, member))
        throw std::runtime_error("unrecognised pahole line: " + lines_[pos_]);
      PaholeMember pm;
      pm.name = m[1];
      pm.bit_size = m[3].matched ? std::stoul(m[3]) : 0;
      pm.offset = std::stoul(m[4]);
      pm.bit = m[5].matched ? std::stoul(m[5]) : 0;
      pm.size = std::stoul(m[6]);
      out.push_back(std::move(pm));
    }
    throw std::runtime_error("pahole output ends inside a record");
  }

  std::vector<std::string> lines_;
  size_t pos_ = 0;
};

}  // namespace

PaholeType parse_pahole(const std::string& text) { return PaholeReader(lines_of(text)).read(); }

}  // namespace ecc::test
