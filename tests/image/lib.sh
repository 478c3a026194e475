# Shared by the image tests (image_test.sh, agent_test.sh) and the kube play
# test (tests/deploy): skip rule, the image build, and a podman run that
# works on this kind of machine. Source it with $name set (the test's name
# in its messages); it sets $repo.
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
base_image=localhost/ecc-base:bookworm

# Exit 77 = skipped, unless ECC_REQUIRE_KERNEL=1: then a missing capability fails.
skip() {
  if [ "${ECC_REQUIRE_KERNEL:-}" = 1 ]; then echo "$name: FAIL: $*" >&2; exit 1; fi
  echo "$name: skipped: $*" >&2; exit 77
}

# build_image TAG: builds docker/Dockerfile with podman from a locally
# bootstrapped Debian base (kept on the machine). podman's layer cache makes
# a second build of the same tree, under any tag, take seconds.
build_image() {
  local tag=$1
  if ! podman image exists "$base_image"; then
    local mirror rootfs
    mirror=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
    [ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null)
    [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
    rootfs=$(mktemp -d /var/tmp/ecc-rootfs.XXXXXX)
    echo "$name: debootstrap bookworm from $mirror" >&2
    nice -n 19 debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
    tar -C "$rootfs" -c . | podman import - "$base_image" >/dev/null
    rm -rf "$rootfs"
  fi
  echo "$name: podman build" >&2
  local log=/tmp/ecc-image-build.$$.log start=$SECONDS
  nice -n 19 podman build --isolation chroot --network host --build-arg BASE="$base_image" \
    -t "$tag" -f "$repo/docker/Dockerfile" "$repo" >"$log" 2>&1 ||
    { tail -n 40 "$log" >&2; echo "$name: FAIL: podman build" >&2; exit 1; }
  rm -f "$log"
  build_seconds=$((SECONDS - start))
}

# podman_setup IMAGE: makes `podman run` (and `podman kube play`) work here,
# or says exactly why it cannot. Two things of this machine kind stop a
# default `podman run` as root:
#  - cgroup v1 with a cgroup2 hierarchy at /sys/fs/cgroup/unified that holds
#    a controller (hybrid mode): crun refuses every container ("cgroups in
#    hybrid mode not supported, drop all controllers from cgroupv2"), even
#    with --cgroups=disabled; runc runs them.
#  - root without CAP_SYS_RESOURCE (not in the bounding set): the runtime
#    cannot raise RLIMIT_NOFILE/RLIMIT_NPROC to podman's defaults
#    ("setrlimit RLIMIT_NOFILE: Operation not permitted"); the limits this
#    process has can be kept.
# Both go into a containers.conf of the test's own (CONTAINERS_CONF), so
# `podman kube play`, which has no --ulimit, gets them too; the machine's
# configuration is not touched. Sets podman_note to what was needed.
podman_setup() {
  local image=$1 err
  podman_conf=""
  podman_note="podman run as configured"
  if err=$(podman run --rm --entrypoint /bin/true "$image" 2>&1); then return 0; fi
  echo "$name: plain podman run fails here: $err" >&2
  local conf runtime="" nproc
  conf=$(mktemp /tmp/ecc-containers.XXXXXX.conf)
  if grep -q 'hybrid mode' <<<"$err" || [ -n "$(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null)" ]; then
    command -v runc >/dev/null || skip "podman run: crun refuses hybrid cgroups and runc is not installed (scripts/install-deps.sh installs it): $err"
    runtime=runc
  fi
  # podman itself runs with a lower RLIMIT_NPROC than a shell may have; for
  # root the process limit is not enforced, so a modest value is enough.
  nproc=$(ulimit -Hu); [ "$nproc" = unlimited ] || [ "$nproc" -le 4096 ] || nproc=4096
  [ "$nproc" != unlimited ] || nproc=4096
  {
    echo "[containers]"
    echo "default_ulimits = [\"nofile=$(ulimit -Hn):$(ulimit -Hn)\", \"nproc=$nproc:$nproc\"]"
    [ -z "$runtime" ] || printf '[engine]\nruntime = "%s"\n' "$runtime"
  } >"$conf"
  export CONTAINERS_CONF=$conf
  podman_conf=$conf  # the test removes it
  if ! err=$(podman run --rm --entrypoint /bin/true "$image" 2>&1); then
    skip "podman run cannot run a container on this machine, even with ${runtime:-the default runtime} and the process's own limits: $err"
  fi
  podman_note="podman run with ${runtime:+runtime $runtime and }nofile=$(ulimit -Hn), nproc=$nproc (CONTAINERS_CONF=$conf)"
}
