// IG's btfgen layer as a btf_archive (docs/package-format.md), and IG's
// mount-namespace filter as a run's settings (docs/gadget.md).
#include "ecc/codec.h"
#include "ecc/error.h"
#include "ecc/gadget.h"
#include "ecc/tar.h"

namespace ecc::gadget {

std::string btfgen_archive_json(std::span<const uint8_t> tar, const std::string& where) {
  Json kernels = Json::array();
  for (const TarEntry& e : read_tar(tar, where)) {
    if (e.directory || !e.path.ends_with(".btf")) continue;
    // <distro>/<version>/<arch>/<release>.btf, at any depth below the top.
    std::vector<std::string> parts;
    for (size_t pos = 0, next; pos <= e.path.size(); pos = next + 1) {
      next = e.path.find('/', pos);
      if (next == std::string::npos) next = e.path.size();
      parts.push_back(e.path.substr(pos, next - pos));
    }
    if (parts.size() < 4 || e.bytes.empty()) throw Error(Exit::bad_input, "entry '" + e.path + "' is not <distro>/<version>/<arch>/<release>.btf", where);
    size_t n = parts.size();
    std::string release = parts[n - 1].substr(0, parts[n - 1].size() - 4);
    kernels.push_back({{"distro", parts[n - 4]}, {"version", parts[n - 3]}, {"arch", parts[n - 2]},
                       {"release", release}, {"btf_size", e.bytes.size()},
                       {"btf", base64_encode(zlib_compress(e.bytes))}});
  }
  if (kernels.empty()) throw Error(Exit::bad_input, "holds no <distro>/<version>/<arch>/<release>.btf", where);
  return Json{{"compression", "zlib"}, {"kernels", kernels}}.dump();
}

void add_mntns_filter(const loader::Package& pkg, uint64_t mntns_id, std::vector<loader::ProgSetting>& settings,
                      loader::RunOptions& run, std::deque<loader::ProgOption>& storage) {
  const Variable* flag = nullptr;
  const DataSection* section = nullptr;
  for (const DataSection& ds : pkg.object.data_sections)
    for (const Variable& v : ds.variables)
      if (v.name == "gadget_filter_by_mntns") {
        flag = &v;
        section = &ds;
      }
  bool has_map = false;
  for (const MapInfo& m : pkg.object.maps) has_map |= m.name == "gadget_mntns_filter_map";
  if (!flag || !has_map)
    throw Error(Exit::usage, "--mntns: this " + pkg.kind + " has no mount-namespace filter (gadget/mntns_filter.h)",
                pkg.path);
  loader::ProgOption o = loader::variable_setting(pkg, *section, *flag);
  o.long_name = "mntns";
  storage.push_back(std::move(o));
  settings.push_back({&storage.back(), loader::encode_value(storage.back(), "true")});
  std::vector<uint8_t> key(8), value = {1, 0, 0, 0};
  for (int i = 0; i < 8; i++) key[i] = static_cast<uint8_t>(mntns_id >> (8 * i));
  run.map_entries.push_back({"gadget_mntns_filter_map", key, value});
}

}  // namespace ecc::gadget
