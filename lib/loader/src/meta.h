// A package's meta applied onto the model of its object (private to the loader).
#pragma once

#include "ecc/loader.h"

namespace ecc::loader {

// Fills pkg.object from pkg.meta: the docs of maps, programs, variables,
// LICENSE and the members of export types, `link: false` programs, and the
// export types — each from the object's BTF when it has the type (by
// `type_id`, else by kind and name), from the JSON layout only for a type
// the BTF lacks. Then the typed annotations (the @metric members too) and
// the event types, with the same rules ecc applies. Throws Error(bad_input)
// naming pkg.path for a meta it cannot read.
void apply_meta(Package& pkg);

// An export type entry (TYPE in docs/package-format.md) the BTF lacks, built into `types`
// from its JSON members (offsets and sizes required). Member types are taken
// from the BTF by name (typedefs, records, enums), from other entries of
// `exports`, or are C base types; anything else is an error naming the
// member. Returns the new type's id.
TypeId type_from_json(const Json& entry, const Json& exports, TypeTable& types, const std::string& path);

}  // namespace ecc::loader
