#!/usr/bin/env bash
# Installs every build, run and test dependency of ecc from Debian 12 packages.
# Idempotent: a second run installs nothing new. Needs root (or sudo).
#   --no-image-tools   leave out podman/buildah/debootstrap (used to build and
#                      test the container image; the image itself needs none)
#   --runtime          only what an installed ecc and ecli need to run (the
#                      final stage of docker/Dockerfile): no build tools
set -euo pipefail

image_tools=1
runtime=0
for arg in "$@"; do
  case "$arg" in
    --no-image-tools) image_tools=0 ;;
    --runtime) runtime=1 ;;
    *) echo "install-deps: unknown option $arg" >&2; exit 2 ;;
  esac
done

packages=(
  # build
  build-essential cmake ninja-build pkg-config git
  # compiler side: clang for BPF, libtooling for the layout/doc pass;
  # libpolly-14-dev completes the static archives ecc-srcscan.so links
  # (Debian's clang registers Polly's passes; lib/srcscan/CMakeLists.txt)
  clang llvm lld libclang-dev libclang-cpp-dev llvm-dev libpolly-14-dev
  # clang 14's runtimes: ASan/UBSan (scripts/test-sanitized.sh) and libFuzzer (tests/fuzz)
  libclang-rt-14-dev
  # BPF loading, BTF, ELF
  libbpf-dev libelf-dev zlib1g-dev
  # the kernel uapi headers: syscall names for gadget_syscall (lib/loader)
  linux-libc-dev
  # libraries
  nlohmann-json3-dev libyaml-cpp-dev libboost-dev libboost-filesystem-dev libgtest-dev libgmock-dev
  # test oracles and bench tools; python3-yaml and curl for the deploy and
  # node agent tests (tests/deploy, tests/image/agent_test.sh)
  bpftool pahole hyperfine procps util-linux iproute2 python3 python3-yaml curl
  # bench/plot_scale.py (bench/run.sh, ctest bench_smoke)
  python3-matplotlib
  # documentation: man pages from docs/*.md, and man to check them (tests/install)
  go-md2man man-db
  # Wasm path
  wasi-libc libclang-rt-14-dev-wasm32 wabt binaryen rustc libstd-rust-dev-wasm32
  # distribution (docs/oci.md): the registry client, and a real registry, an
  # independent client, a test CA and htpasswd for the tests
  libcurl4-openssl-dev libssl-dev openssl docker-registry skopeo apache2-utils
  # metrics (docs/metrics.md): the exposition library and its HTTP server
  # (asked whether it has IPv6), and a real Prometheus server as the tests'
  # oracle
  prometheus-cpp-dev libcivetweb-dev prometheus
  # trust (docs/trust.md): cosign's encrypted keys (scrypt + secretbox), and
  # python3-nacl for the test that writes one independently
  libsodium-dev python3-nacl
)
# kubectl for the offline checks of deploy/kubernetes: Debian's
# kubernetes-client, unless a kubectl is already installed (another package
# may own /usr/bin/kubectl, and the two cannot both be installed).
command -v kubectl >/dev/null || packages+=(kubernetes-client)
# podman's recommended packages (fuse-overlayfs, netavark, catatonit...) are
# part of a working setup, so these are installed with recommends. runc: on
# a machine with hybrid cgroups (v1, plus cgroup2 holding a controller) crun
# refuses every container, and the tests run podman with runc instead
# (tests/image/lib.sh).
image_packages=(podman buildah debootstrap runc)
[ "$image_tools" -eq 1 ] || image_packages=()

# Run time of the installed tree (bin/ecc, bin/ecli, lib/ecc/ecc-srcscan.so,
# share/ecc): the only list the image's final stage installs. The image test
# ldd's every installed binary and library against it.
runtime_packages=(
  # ecc runs clang for the BPF object and for app.wasm (wasm-ld from lld);
  # llvm for llvm-strip (--llvm-strip); the unversioned names are on PATH
  clang llvm lld
  # the BPF compile includes <bpf/bpf_helpers.h> etc. from libbpf-dev
  libbpf-dev
  # the WASI sysroot and clang's wasm32 builtins for build-wasm
  wasi-libc libclang-rt-14-dev-wasm32
  # shared libraries of ecc, ecli and the scan module, and those ecli loads
  # with dlopen at first use (libcurl4, libssl3, libsodium23; prometheus-cpp
  # under lib/ecc/libecc-metrics.so): docs/architecture.md
  libbpf1 libelf1 zlib1g libclang-cpp14 libllvm14 libyaml-cpp0.7 libboost-filesystem1.74.0
  libcurl4 libssl3 libstdc++6 libprometheus-cpp-core1.0 libprometheus-cpp-pull1.0 libsodium23
  # registries over HTTPS (ecli pull/push)
  ca-certificates
)
if [ "$runtime" -eq 1 ]; then
  packages=("${runtime_packages[@]}")
  image_packages=()
fi

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)

missing_of() {  # the named packages that are not installed
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}
# Package names have no spaces: plain word splitting is enough.
missing=($(missing_of "${packages[@]}"))
missing_image=($(missing_of "${image_packages[@]}"))

if [ ${#missing[@]} -gt 0 ] || [ ${#missing_image[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]} ${missing_image[*]}"
  "${sudo_cmd[@]}" apt-get update -q
  [ ${#missing[@]} -eq 0 ] ||
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
  [ ${#missing_image[@]} -eq 0 ] ||
    DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q "${missing_image[@]}"
else
  echo "install-deps: all $(( ${#packages[@]} + ${#image_packages[@]} )) packages present"
fi
