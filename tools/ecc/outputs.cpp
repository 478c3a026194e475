#include "outputs.h"

#include <unistd.h>

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
  staged_.emplace_back(dir_ / name).write(bytes);
}

void OutputSet::add(const std::string& name, const std::string& text) {
  add(name, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

void OutputSet::commit() {
  for (PendingFile& f : staged_) f.commit();
  committed_ = true;
}

WorkDir::WorkDir() {
  std::string tmpl = (fs::temp_directory_path() / "ecc-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw Error(Exit::tool_failed, "cannot create a temporary directory", tmpl);
  path_ = tmpl;
}

WorkDir::~WorkDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

}  // namespace ecc
