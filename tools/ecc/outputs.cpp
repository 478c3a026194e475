#include "outputs.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "ecc/error.h"

namespace fs = std::filesystem;

namespace ecc {

OutputSet::OutputSet(fs::path dir) : dir_(std::move(dir)) {
  std::error_code ec;
  if (!fs::exists(dir_, ec)) {
    if (!fs::create_directories(dir_, ec))
      throw Error(Exit::bad_input, "cannot create the output directory: " + ec.message(), dir_.string());
    created_dir_ = true;
  } else if (!fs::is_directory(dir_, ec)) {
    throw Error(Exit::bad_input, "the output path is not a directory", dir_.string());
  }
  if (access(dir_.c_str(), W_OK) != 0)
    throw Error(Exit::bad_input, std::string("the output directory is not writable: ") + std::strerror(errno),
                dir_.string());
}

OutputSet::~OutputSet() {
  if (committed_) return;
  staged_.clear();  // removes the temporaries
  std::error_code ec;
  if (created_dir_) fs::remove(dir_, ec);
}

void OutputSet::add(const std::string& name, std::span<const uint8_t> bytes) {
  add(name, std::string(bytes.begin(), bytes.end()));
}

void OutputSet::add(const std::string& name, std::string&& text) {
  Added a{name, std::move(text), false};
  staged_.emplace_back(dir_ / name).write(a.data());
  added_.push_back(std::move(a));
}

void OutputSet::add_executable(const std::string& name, std::span<const uint8_t> bytes) {
  add(name, bytes);
  added_.back().executable = true;
  const fs::path& tmp = staged_.back().tmp();
  if (::chmod(tmp.c_str(), 0755) != 0)
    throw Error(Exit::bad_input, std::string("cannot write: ") + std::strerror(errno), (dir_ / name).string());
}

namespace {
// Indices into `staged` in rename order (see the header: package.json last).
std::vector<size_t> rename_order(const std::vector<PendingFile>& staged) {
  std::vector<size_t> order(staged.size());
  for (size_t i = 0; i < order.size(); i++) order[i] = i;
  std::stable_partition(order.begin(), order.end(),
                        [&](size_t i) { return staged[i].path().filename() != "package.json"; });
  return order;
}
}  // namespace

void OutputSet::commit() {
  for (size_t i : rename_order(staged_)) staged_[i].commit();
  committed_ = true;
}

WorkDir::WorkDir() {
  // Named after this process, so that the work directories of killed runs
  // are recognised and swept by a later one.
  remove_leftovers_of_dead(fs::temp_directory_path(), "ecc-");
  std::string tmpl = (fs::temp_directory_path() / ("ecc-" + std::to_string(getpid()) + "-XXXXXX")).string();
  if (!mkdtemp(tmpl.data())) throw Error(Exit::tool_failed, "cannot create a temporary directory", tmpl);
  path_ = tmpl;
}

WorkDir::~WorkDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace ecc
