#!/bin/sh
# app.wasm size per example (docs/testing.md): `ecc gen-wasm-skel` + `ecc build-wasm`
# on a copy of each example, against eunomia-bpf's sigsnoop app.wasm (70,076
# bytes, from its published demo). The embedded BPF object is part of the
# module, so its size is shown too.
#
# Rows (bench/result.py): sigsnoop's app.wasm against that reference.
# usage: bench/wasm_size.sh [ECC]   (default: $ECC, else build/tools/ecc/ecc; BENCH_SMOKE=1: sigsnoop only)
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
ecc=${1:-${ECC:-$root/build/tools/ecc/ecc}}
[ -x "$ecc" ] || { echo "wasm_size.sh: no ecc at $ecc (pass its path)" >&2; exit 2; }
ecc=$(cd "$(dirname "$ecc")" && pwd)/$(basename "$ecc")  # the runs cd into copies
reference=70076
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM

printf '%-12s %10s %10s %12s %10s\n' example app.wasm bpf.o app-only vs-70076 >&2
for dir in "$root"/examples/*/; do
	name=$(basename "$dir")
	[ "${BENCH_SMOKE:-}" = 1 ] && [ "$name" != sigsnoop ] && continue
	[ -f "$dir/$name.bpf.c" ] || continue
	cp -r "$dir" "$work/$name"
	(cd "$work/$name" && "$ecc" gen-wasm-skel >/dev/null && "$ecc" build-wasm >/dev/null) ||
		{ echo "wasm_size.sh: $name failed" >&2; exit 1; }
	wasm=$(stat -c %s "$work/$name/app.wasm")
	obj=$(stat -c %s "$work/$name/$name.bpf.o")
	ratio=$(awk -v a="$wasm" -v b="$reference" 'BEGIN { printf "%.2f", a / b }')
	printf '%-12s %10d %10d %12d %10s\n' "$name" "$wasm" "$obj" $((wasm - obj)) "$ratio" >&2
	if [ "$name" = sigsnoop ]; then
		python3 "$root/bench/result.py" wasm_size "sigsnoop app.wasm" "$wasm" "eunomia-bpf's sigsnoop app.wasm (published)" \
			"$reference" bytes "<=" 1 "its BPF object is $obj bytes of it"
	fi
done
