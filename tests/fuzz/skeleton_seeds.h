// The skeletons of the seed objects (corpus/elf, read with read_object), and
// read_annotations + read_metrics + assign_event_types on a copy of one whose
// every declaration and record member carries the fuzzed doc: what ecc does at build time and ecli
// does to a package's meta.
#pragma once

#include <bpf/libbpf.h>

#include <algorithm>
#include <cstdarg>
#include <cstdint>
#include <vector>

#include "ecc/annotations.h"
#include "ecc/btf.h"
#include "ecc/model.h"
#include "fuzz_util.h"

namespace ecc::fuzz {

inline const std::vector<Skeleton>& seed_skeletons() {
  static const std::vector<Skeleton> all = [] {
    libbpf_set_print([](libbpf_print_level, const char*, va_list) { return 0; });
    std::vector<Skeleton> v;
    for (const auto& p : corpus_files("elf")) {
      auto bytes = read_bytes(p);
      v.push_back(read_object(bytes, "seed_bpf", p.string()));
    }
    return v;
  }();
  return all;
}

// `doc` on every map, program, variable and the object of seed `pick`.
inline void annotate_seed(uint8_t pick, const Json& doc) {
  Skeleton skel = seed_skeletons()[pick % seed_skeletons().size()];
  // The export types as ecc has them: every record of the object.
  for (TypeId id = 1; id < skel.types.size(); id++) {
    TypeKind k = skel.types.at(id).kind;
    if (k != TypeKind::Struct && k != TypeKind::Union) continue;
    skel.export_types.push_back(id);
    for (auto& m : skel.types.at(id).members) m.doc = doc;
  }
  for (auto& m : skel.maps) m.doc = doc;
  for (auto& p : skel.progs) p.doc = doc;
  for (auto& d : skel.data_sections)
    for (auto& var : d.variables) var.doc = doc;
  skel.doc = doc;
  expect_only_our_errors([&] {
    read_annotations(skel, "fuzz.bpf.c");
    read_metrics(skel, "fuzz.h");
    assign_event_types(skel);
    for (const auto& m : skel.maps)
      if (m.event_type && std::find(skel.export_types.begin(), skel.export_types.end(), *m.event_type) ==
                              skel.export_types.end()) {
        std::fprintf(stderr, "fuzz: map %s has an event type that is not an export type\n", m.name.c_str());
        std::abort();
      }
  });
}

}  // namespace ecc::fuzz
