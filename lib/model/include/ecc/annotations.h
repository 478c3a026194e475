// The doc-comment annotations with meaning to the runner (docs/annotations.md), parsed
// once into the typed fields of the model, and the one rule that says which
// maps carry events and of which export type. ecc runs both at build time
// (a malformed annotation is an error there); ecli runs them on a package's
// meta, so packages written by other tools follow the same rules.
#pragma once

#include <string>
#include <string_view>

#include "ecc/model.h"

namespace ecc {

// Fills MapInfo::sample, Variable::cmdarg and ProgInfo::net from each
// declaration's `doc` (the members of export types: read_metrics). Unknown
// keys are ignored; a known key with a value of the wrong shape throws
// Error(bad_input) naming the declaration and the key, e.g.
// "map 'hists': @sample interval is not a non-negative integer: \"x\""
// (file: `file`).
void read_annotations(Skeleton& skel, const std::string& file);

// Fills Skeleton::metrics from the `metric` annotations
// (docs/annotations.md#metric) on the members of every export struct and
// union: one FieldMetric per annotated member, in member order, a nested
// member by its dotted path ("proc.pid"; a member of an anonymous member by
// its own name, as C names it). Export types without one get no entry.
// Histograms without buckets get the documented default ones. A malformed
// value or a member of the wrong type throws Error(bad_input) naming the type
// and the member, e.g. "struct event member 'comm': @metric counter needs a
// numeric member, not char[16]" (file: `file`).
void read_metrics(Skeleton& skel, const std::string& file);

// Sets MapInfo::event_type of every ring buffer and perf event array: the
// export type its value type names (same kind and name), else the default
// event type. Maps of other types get none.
void assign_event_types(Skeleton& skel);

// The default event type: the first exported struct or union that is not a
// member (at any depth, through arrays and typedefs) of another export type;
// nullopt when there is no exported record.
std::optional<TypeId> default_event_type(const Skeleton& skel);

// Variables that are never offered as program options: eunomia-bpf's
// `__eunomia_dummy_*` placeholders.
bool is_placeholder_variable(std::string_view name);

}  // namespace ecc
