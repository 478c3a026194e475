#!/usr/bin/env bash
# Mounts tracefs, debugfs and bpffs when missing, so BPF programs can attach
# (docs/testing.md). Needs root; without it, prints why and does nothing.
set -u
if [ "$(id -u)" -ne 0 ]; then
  echo "mount-kernel-fs: not root; kernel tests will be skipped (or fail under ECC_REQUIRE_KERNEL=1)" >&2
  exit 0
fi
mount_if_missing() {  # type dir
  mountpoint -q "$2" 2>/dev/null && return 0
  mkdir -p "$2" && mount -t "$1" "$1" "$2" 2>/dev/null || echo "mount-kernel-fs: cannot mount $1 on $2" >&2
}
mount_if_missing debugfs /sys/kernel/debug
mount_if_missing tracefs /sys/kernel/tracing
mount_if_missing bpf /sys/fs/bpf
exit 0
