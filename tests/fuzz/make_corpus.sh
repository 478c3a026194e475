#!/usr/bin/env bash
# Regenerates the seed corpora of tests/fuzz/corpus/<target>/ from the
# repository's examples and test programs, built with ecc:
#   package/      package.json files (ecc)
#   elf/          their linked .bpf.o
#   btf/          the objects' .BTF sections
#   doc_comment/  every doc comment of their sources (first byte: seed object)
#   annotations/  every non-empty doc of their skeletons and export type members, as JSON
#                 (first byte: seed object)
#   prog_options/ option lines for each package (first byte: the package)
#   oci/          manifests, references, challenges, token and error bodies
#   wasm/         small modules on the wasm_bpf ABI (wat2wasm) and a generated app.wasm
# usage: tests/fuzz/make_corpus.sh [ECC]   (default: build/tools/ecc/ecc)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ecc=$(realpath "${1:-$root/build/tools/ecc/ecc}")
out=$here/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The programs, in a fixed order: the first byte of the doc_comment,
# annotations and prog_options inputs picks a seed by this (sorted) order.
programs=(examples/bootstrap examples/opensnoop examples/runqlat examples/sigsnoop
          tests/programs/forkmix tests/programs/netmix tests/programs/taskiter)

rm -rf "$out"
mkdir -p "$out"/{package,elf,btf,doc_comment,annotations,prog_options,oci,wasm}
for p in "${programs[@]}"; do
  name=$(basename "$p")
  mkdir -p "$work/$name"
  cp "$root/$p"/* "$work/$name/"
  (cd "$work/$name" && "$ecc" "$name.bpf.c" "$name.h" >/dev/null)
  cp "$work/$name/package.json" "$out/package/$name.json"
  cp "$work/$name/$name.bpf.o" "$out/elf/$name.bpf.o"
  llvm-objcopy --dump-section ".BTF=$out/btf/$name.btf" "$work/$name/$name.bpf.o" "$work/$name/dummy.o"
done

python3 - "$root" "$out" "$work" "${programs[@]}" <<'PY'
import json, os, re, sys
root, out, work, programs = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
names = [os.path.basename(p) for p in programs]
elf_order = sorted(n + ".bpf.o" for n in names)
pkg_order = sorted(n + ".json" for n in names)
for name in names:
    src = open(os.path.join(root, programs[names.index(name)], name + ".bpf.c")).read()
    pick = bytes([elf_order.index(name + ".bpf.o")])
    blocks = re.findall(r"/\*\*.*?\*/", src, re.S)
    lines, run = [], []
    for line in src.splitlines() + [""]:
        if line.strip().startswith("///"):
            run.append(line)
        elif run:
            blocks.append("\n".join(run)); run = []
    for i, b in enumerate(blocks):
        open(os.path.join(out, "doc_comment", f"{name}-{i}"), "wb").write(pick + b.encode())
    meta = json.load(open(os.path.join(work, name, name + ".skel.json")))
    skel = meta["bpf_skel"]
    # The annotations are the keys beside the structural ones (eunomia-bpf's layout).
    structural = {"name", "ident", "type", "key_size", "value_size", "max_entries", "mmaped", "attach",
                  "link", "offset", "size", "section", "attach_type", "variables"}
    strip = lambda e: {k: v for k, v in e.items() if k not in structural}
    docs = [skel.get("doc")] + [strip(m) for m in skel.get("maps", [])] + \
           [strip(p) for p in skel.get("progs", [])] + \
           [strip(v) for d in skel.get("data_sections", []) for v in d.get("variables", [])]
    # The export types' members (@metric), inside anonymous records too.
    own = {"name", "type", "offset", "size", "bit_offset", "bit_size", "members"}
    flat = lambda ms: [x for m in ms for x in [m] + flat(m.get("members", []))]
    docs += [{k: v for k, v in m.items() if k not in own}
             for t in meta.get("export_types", []) for m in flat(t.get("members", []))]
    for i, d in enumerate(x for x in docs if x):
        open(os.path.join(out, "annotations", f"{name}-{i}"), "wb").write(pick + json.dumps(d).encode())
    # Options: every variable by name with a value, and the cmdarg short forms.
    ppick = bytes([pkg_order.index(name + ".json")])
    args = []
    for d in skel.get("data_sections", []):
        if d.get("name") not in (".rodata", ".data", ".bss"):
            continue
        for v in d.get("variables", []):
            args += ["--" + v["name"], "1"]
            c = v.get("cmdarg") or {}
            if c.get("short"):
                args += ["-" + c["short"] + "2"]
            if c.get("long"):
                args += ["--" + c["long"] + "=0x10"]
    open(os.path.join(out, "prog_options", name), "wb").write(ppick + "\n".join(args).encode())
    open(os.path.join(out, "prog_options", name + "-help"), "wb").write(ppick + b"-h")
PY

# OCI: the first byte picks the parser (tests/fuzz/oci_fuzz.cpp).
d=sha256:$(printf '{}' | sha256sum | cut -d' ' -f1)
oci() { printf '%s' "$2" > "$out/oci/$1"; }
oci manifest-wasm "m{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.wasm.config.v1+json\",\"digest\":\"$d\",\"size\":2},\"layers\":[{\"mediaType\":\"application/vnd.wasm.content.layer.v1+wasm\",\"digest\":\"$d\",\"size\":2,\"annotations\":{\"org.opencontainers.image.title\":\"app.wasm\"}}],\"annotations\":{\"org.opencontainers.image.title\":\"app.wasm\"}}"
oci manifest-package "m{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.wasm.config.v1+json\",\"digest\":\"$d\",\"size\":2},\"layers\":[{\"mediaType\":\"application/vnd.ecc.package.v1+json\",\"digest\":\"$d\",\"size\":2}]}"
oci manifest-index "m{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"$d\",\"size\":2}]}"
oci manifest-docker "m{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"digest\":\"$d\",\"size\":1},\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"digest\":\"$d\",\"size\":1}]}"
oci ref-tag "rlocalhost:5000/ebpf/sigsnoop:v1"
oci ref-digest "rghcr.io/eunomia-bpf/sigsnoop@$d"
oci ref-plain "rregistry.example.com/a/b/c"
oci www-bearer 'wBearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull"'
oci www-basic 'wBasic realm="Registry Realm"'
oci token 't{"token":"abc","access_token":"abc","expires_in":300}'
oci token-access 't{"access_token":"xyz"}'
oci error-body 'e'$'\x04''{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}}]}'
oci redirect-abs $'uhttps://registry.example.com/v2/a/blobs/x\nhttps://cdn.example.com:8443/blob?sig=1'
oci redirect-rel $'uhttp://localhost:5000/v2/a/blobs/uploads/\n/v2/a/blobs/uploads/123?_state=x'
oci config $'clocalhost:5000\n{"auths":{"localhost:5000":{"auth":"dXNlcjpwYXNz"},"https://index.docker.io/v1/":{"username":"u","password":"p"}}}'
oci layer-wasm $'l\x00asm\x01\x00\x00\x00'
oci layer-package 'l{"bpf_object":"eJw=","bpf_object_size":0,"meta":{}}'

# Wasm: modules on the wasm_bpf ABI against the fuzz target's fake backend
# (maps "counts" hash 4/8, "percpu", "events" ring buffer, "pb" perf array).
imports='(import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
 (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
 (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes (param i32 i32) (result i32)))
 (import "wasm_bpf" "wasm_load_bpf_object" (func $load (param i32 i32) (result i64)))
 (import "wasm_bpf" "wasm_attach_bpf_program" (func $attach (param i64 i32 i32) (result i32)))
 (import "wasm_bpf" "wasm_bpf_buffer_poll" (func $poll (param i64 i32 i32 i32 i32 i32 i32) (result i32)))
 (import "wasm_bpf" "wasm_bpf_map_fd_by_name" (func $fd_by_name (param i64 i32) (result i32)))
 (import "wasm_bpf" "wasm_bpf_map_operate" (func $op (param i32 i32 i32 i32 i32 i64) (result i32)))
 (import "wasm_bpf" "wasm_close_bpf_object" (func $close (param i64) (result i32)))'
wasm() {
  cat > "$work/$1.wat" <<WAT
(module
 $imports
 (memory (export "memory") 1)
 (table (export "__indirect_function_table") 2 funcref)
 (elem (i32.const 1) \$cb)
 (global \$h (mut i64) (i64.const 0))
 (global \$fd (mut i32) (i32.const 0))
 (data (i32.const 16) "events\00")
 (data (i32.const 32) "counts\00")
 (data (i32.const 48) "handle_exec\00")
 (data (i32.const 64) "pb\00")
 (data (i32.const 80) "lo\00")
 (data (i32.const 96) "sched/sched_process_exec\00")
 (data (i32.const 128) "percpu\00")
 (data (i32.const 200) "hello\n")
 (data (i32.const 4096) "\7fELF\02\01\01")
 (func \$cb (param i32 i32 i32) (result i32) (i32.const 0))
 (func (export "_start")
  (global.set \$h (call \$load (i32.const 4096) (i32.const 64)))
  $2))
WAT
  wat2wasm "$work/$1.wat" -o "$out/wasm/$1.wasm"
}
wasm load-close '(drop (call $close (global.get $h)))'
wasm attach '(drop (call $attach (global.get $h) (i32.const 48) (i32.const 0)))
  (drop (call $attach (global.get $h) (i32.const 48) (i32.const 96)))
  (drop (call $attach (global.get $h) (i32.const 16) (i32.const 80)))'
wasm ring-poll '(global.set $fd (call $fd_by_name (global.get $h) (i32.const 16)))
  (drop (call $poll (global.get $h) (global.get $fd) (i32.const 1) (i32.const 0) (i32.const 1024) (i32.const 64) (i32.const 10)))'
wasm perf-poll '(global.set $fd (call $fd_by_name (global.get $h) (i32.const 64)))
  (drop (call $poll (global.get $h) (global.get $fd) (i32.const 1) (i32.const 0) (i32.const 1024) (i32.const 256) (i32.const 10)))'
wasm map-ops '(global.set $fd (call $fd_by_name (global.get $h) (i32.const 32)))
  (i32.store (i32.const 512) (i32.const 7))
  (drop (call $op (global.get $fd) (i32.const 2) (i32.const 512) (i32.const 520) (i32.const 0) (i64.const 0)))
  (drop (call $op (global.get $fd) (i32.const 1) (i32.const 512) (i32.const 540) (i32.const 0) (i64.const 0)))
  (drop (call $op (global.get $fd) (i32.const 4) (i32.const 0) (i32.const 0) (i32.const 560) (i64.const 0)))
  (drop (call $op (global.get $fd) (i32.const 3) (i32.const 512) (i32.const 0) (i32.const 0) (i64.const 0)))
  (global.set $fd (call $fd_by_name (global.get $h) (i32.const 128)))
  (drop (call $op (global.get $fd) (i32.const 1) (i32.const 512) (i32.const 1024) (i32.const 0) (i64.const 0)))'
wasm write-exit '(i32.store (i32.const 300) (i32.const 200)) (i32.store (i32.const 304) (i32.const 6))
  (drop (call $fd_write (i32.const 1) (i32.const 300) (i32.const 1) (i32.const 308)))
  (drop (call $args_sizes (i32.const 320) (i32.const 324)))
  (call $exit (i32.const 3))'

# One generated app (ecc gen-wasm-skel + build-wasm): the skeleton's load,
# attach and poll through the guest SDK.
mkdir -p "$work/app"
cp "$root/examples/sigsnoop"/* "$work/app/"
(cd "$work/app" && "$ecc" gen-wasm-skel >/dev/null && "$ecc" build-wasm >/dev/null)
cp "$work/app/app.wasm" "$out/wasm/sigsnoop-app.wasm"

# Inspektor Gadget parts: the test gadgets' gadget.yaml (both forms), and a
# btfhub-like tar for the btfgen layer.
mkdir -p "$out/gadget" "$work/hub/debian/12/x86_64"
for g in trace_open trace_exec trace_signal top_open; do
  { printf 'y'; cat "$root/tests/gadget/gadgets/$g/gadget.yaml"; } >"$out/gadget/yaml-$g"
done
printf 'BTF' >"$work/hub/debian/12/x86_64/6.1.0-ecc.btf"
{ printf 't'; tar -C "$work/hub" -cf - debian; } >"$out/gadget/tar-btfgen"

find "$out" -type f | wc -l | xargs echo "seed files:"
du -sh "$out" | cut -f1 | xargs echo "total:"
