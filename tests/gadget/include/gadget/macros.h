/* The marker symbols of Inspektor Gadget's gadget API, written for ecc's
 * tests in the style IG's include/gadget/macros.h defines them: unused
 * globals whose names (kept in the object's BTF) declare a gadget's tracers,
 * parameters, map iterators and snapshotters. See docs/gadget.md. */
#ifndef ECC_TEST_GADGET_MACROS_H
#define ECC_TEST_GADGET_MACROS_H

/* A ring buffer (or perf event array) `map` that carries `struct type`. */
#define GADGET_TRACER(name, map, type)                                              \
	const void *gadget_tracer_##name##___##map##___##type __attribute__((unused)); \
	const struct type *__gadget_tracer_type_##name __attribute__((unused));

/* A `const volatile` global the user sets. */
#define GADGET_PARAM(var) const void *gadget_param_##var __attribute__((unused));

/* A hash map printed every interval. */
#define GADGET_MAPITER(name, map) const void *gadget_mapiter_##name##___##map __attribute__((unused));

/* An iterator program that produces `struct type` records, once. */
#define GADGET_SNAPSHOTTER(name, type, prog)                                             \
	const struct type *unusedevent_##name##___##type __attribute__((unused));        \
	const void *gadget_snapshotter_##name##___##type##___##prog __attribute__((unused));

#endif
