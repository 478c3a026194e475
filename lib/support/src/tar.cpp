#include "ecc/tar.h"

#include <algorithm>
#include <cstring>

#include "ecc/error.h"

namespace ecc {

namespace {

constexpr size_t kBlock = 512;

// A NUL- or space-terminated octal field; -1 when it is not octal.
int64_t octal(std::span<const uint8_t> field) {
  int64_t v = 0;
  bool any = false;
  for (uint8_t c : field) {
    if (c == 0 || c == ' ') {
      if (any) break;
      continue;
    }
    if (c < '0' || c > '7') return -1;
    v = v * 8 + (c - '0');
    any = true;
    if (v > (int64_t{1} << 40)) return -1;
  }
  return v;
}

std::string field_text(std::span<const uint8_t> field) {
  auto end = std::find(field.begin(), field.end(), uint8_t{0});
  return std::string(field.begin(), end);
}

bool checksum_ok(std::span<const uint8_t> h) {
  int64_t want = octal(h.subspan(148, 8));
  int64_t sum = 0;
  for (size_t i = 0; i < kBlock; i++) sum += (i >= 148 && i < 156) ? ' ' : h[i];
  return want == sum;
}

// "a/./b" -> "a/b", leading "./" dropped; empty for a path that escapes.
std::string clean_path(const std::string& p) {
  std::string out, part;
  for (size_t i = 0; i <= p.size(); i++) {
    if (i < p.size() && p[i] != '/') {
      part += p[i];
      continue;
    }
    if (part == "..") return {};
    if (!part.empty() && part != ".") out += (out.empty() ? "" : "/") + part;
    part.clear();
  }
  return out;
}

TarEntry read_entry(std::span<const uint8_t> h, std::span<const uint8_t> rest, size_t& used, const std::string& where) {
  std::string name = field_text(h.subspan(0, 100));
  std::string prefix = field_text(h.subspan(345, 155));
  std::string path = prefix.empty() ? name : prefix + "/" + name;
  if (!checksum_ok(h)) throw Error(Exit::bad_input, "tar header of '" + path + "' has a bad checksum", where);
  int64_t size = octal(h.subspan(124, 12));
  if (size < 0 || static_cast<uint64_t>(size) > rest.size())
    throw Error(Exit::bad_input, "tar entry '" + path + "' runs past the end of the archive", where);
  char type = static_cast<char>(h[156]);
  if (!path.empty() && path[0] == '/') throw Error(Exit::bad_input, "tar entry '" + path + "' is absolute", where);
  TarEntry e{clean_path(path), {}, type == '5'};
  if (e.path.empty() && path != "." && path != "./")
    throw Error(Exit::bad_input, "tar entry '" + path + "' leaves the archive", where);
  if (type != '0' && type != 0 && type != '5')
    throw Error(Exit::bad_input, "tar entry '" + path + "' is not a file or a directory (type '" +
                                     std::string(1, type ? type : '0') + "')", where);
  if (!e.directory) e.bytes.assign(rest.begin(), rest.begin() + size);
  used = (static_cast<size_t>(size) + kBlock - 1) / kBlock * kBlock;
  return e;
}

void put_octal(uint8_t* field, size_t width, uint64_t v) {
  std::string s(width - 1, '0');
  for (size_t i = width - 1; i-- > 0; v /= 8) s[i] = static_cast<char>('0' + v % 8);
  std::memcpy(field, s.data(), width - 1);
  field[width - 1] = 0;
}

void put_header(std::vector<uint8_t>& out, const TarEntry& e) {
  std::string path = e.directory ? e.path + "/" : e.path;
  std::string name = path, prefix;
  if (name.size() > 100) {
    size_t cut = path.rfind('/', 155);
    if (cut == std::string::npos || path.size() - cut - 1 > 100 || cut == 0)
      throw Error(Exit::bad_input, "path is too long for a tar header", e.path);
    prefix = path.substr(0, cut);
    name = path.substr(cut + 1);
  }
  uint8_t h[kBlock] = {};
  std::memcpy(h, name.data(), name.size());
  put_octal(h + 100, 8, e.directory ? 0755 : 0644);
  put_octal(h + 108, 8, 0);
  put_octal(h + 116, 8, 0);
  put_octal(h + 124, 12, e.bytes.size());
  put_octal(h + 136, 12, 0);
  h[156] = e.directory ? '5' : '0';
  std::memcpy(h + 257, "ustar\0" "00", 8);
  std::memcpy(h + 345, prefix.data(), prefix.size());
  std::memset(h + 148, ' ', 8);
  uint64_t sum = 0;
  for (uint8_t c : h) sum += c;
  put_octal(h + 148, 7, sum);
  h[155] = ' ';
  out.insert(out.end(), h, h + kBlock);
}

}  // namespace

std::vector<TarEntry> read_tar(std::span<const uint8_t> archive, const std::string& where) {
  std::vector<TarEntry> entries;
  size_t pos = 0;
  while (pos + kBlock <= archive.size()) {
    auto h = archive.subspan(pos, kBlock);
    if (std::all_of(h.begin(), h.end(), [](uint8_t c) { return c == 0; })) return entries;
    pos += kBlock;
    size_t used = 0;
    TarEntry e = read_entry(h, archive.subspan(pos), used, where);
    pos += std::min(used, archive.size() - pos);
    if (!e.path.empty()) entries.push_back(std::move(e));
  }
  if (pos != archive.size() || entries.empty())
    throw Error(Exit::bad_input, "not a tar archive (it ends inside a header)", where);
  return entries;
}

std::vector<uint8_t> write_tar(const std::vector<TarEntry>& entries) {
  std::vector<uint8_t> out;
  for (const TarEntry& e : entries) {
    put_header(out, e);
    out.insert(out.end(), e.bytes.begin(), e.bytes.end());
    out.resize((out.size() + kBlock - 1) / kBlock * kBlock, 0);
  }
  out.resize(out.size() + 2 * kBlock, 0);
  return out;
}

}  // namespace ecc
