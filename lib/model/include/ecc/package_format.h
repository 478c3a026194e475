// Names of the package format that its writers (ecc, the generated Wasm
// skeleton) and its readers (the runtime, the Wasm host) share.
#pragma once

namespace ecc {

// The custom section of an app.wasm that carries the ecc --btfgen archive
// (the JSON text of package.json's "btf_archive").
inline constexpr const char* kBtfArchiveSection = "ecc_btf_archive";

}  // namespace ecc
