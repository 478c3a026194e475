# Shared by the benches that use the AOT engine (sourced). Needs $ecli.

# aot_compile_ms APP.wasm: `ecli compile` it (into $XDG_CACHE_HOME/ecc/aot)
# and print how long that took in ms.
aot_compile_ms() {
  local t0 t1
  t0=$(date +%s.%N); "$ecli" compile "$1" 2>/dev/null; t1=$(date +%s.%N)
  python3 -c "print(f'{($t1 - $t0) * 1000:.0f}')"
}

# aot_compile_report APP.wasm LABEL: compiles it, prints "AOT compile of
# LABEL (N bytes): T ms" on stderr.
aot_compile_report() {
  echo "AOT compile of $2 ($(stat -c %s "$1") bytes): $(aot_compile_ms "$1") ms" >&2
}
