#!/bin/sh
# Entry point of the ecc image: works on the project mounted at /src.
#   (no argument)   package the one *.bpf.c in /src with its header <name>.h
#   gen-wasm-skel   write <name>.skel.h, <name>.wasm.h, ewasm-skel.h, app.c, eunomia-include/ (docs/ecc.md)
#   build-wasm      build app.wasm
#   ecli ARGS...    run ecli ARGS... (no /src needed: docs/node-agent.md)
#   anything else   passed to ecc as it is
set -eu
die() { echo "ecc-image: error: $*" >&2; exit 1; }

# ecli runs packages, apps and references on the host's kernel; it works on
# whatever paths it is given, so it neither needs nor checks /src.
if [ "${1:-}" = ecli ]; then
  shift
  exec ecli "$@"
fi

# A container's cache dies with it: no background cache warming that would
# outlive the command (mount your own at /root/.cache to keep it).
export ECC_CACHE_WARM="${ECC_CACHE_WARM:-off}"

cd /src 2>/dev/null || die "no /src: mount your project there (docker run -v \"\$PWD\":/src IMAGE)"

# The one *.bpf.c in /src and its header: clear errors otherwise.
pick_source() {
  set -- /src/*.bpf.c
  [ -e "$1" ] || die "no *.bpf.c in /src: mount the directory of your eBPF program at /src"
  [ $# -eq 1 ] || die "several *.bpf.c in /src ($(cd /src && echo *.bpf.c)); pass the one to build: IMAGE FILE.bpf.c HEADER.h"
  src=$(basename "$1")
  hdr="${src%%.*}.h"
  [ -e "/src/$hdr" ] || die "no header $hdr next to $src: it defines the event types to export"
}

case "${1:-}" in
  "")
    pick_source
    exec ecc "$src" "$hdr"
    ;;
  gen-wasm-skel | build-wasm)
    cmd=$1
    shift
    if [ $# -eq 0 ] && [ "$cmd" = gen-wasm-skel ]; then
      pick_source
      exec ecc gen-wasm-skel "$src" "$hdr"
    fi
    exec ecc "$cmd" "$@"
    ;;
  *)
    exec ecc "$@"
    ;;
esac
