#!/usr/bin/env bash
# Prepares a fresh Debian 12 machine for Ferry (run as root): installs what is missing,
# mounts bpffs, and checks that a JDK >= 25 is there. Sourced by test.sh and demo.sh.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
source "$root/scripts/lib.sh"

if [[ $(id -u) -ne 0 ]]; then
  echo "ferry: run as root (loading eBPF programs and creating network namespaces need it)" >&2
  exit 1
fi

# command -> Debian package
declare -A needed=([clang]=clang [llvm-strip]=llvm [bpftool]=bpftool [ip]=iproute2 [ethtool]=ethtool [mvn]=maven [python3]=python3)
missing=()
for cmd in clang llvm-strip bpftool ip ethtool mvn python3; do
  command -v "$cmd" >/dev/null || missing+=("${needed[$cmd]}")
done
[[ -f /usr/include/bpf/bpf_helpers.h ]] || missing+=(libbpf-dev)
ls /usr/lib/*-linux-gnu/libbpf.so.1 >/dev/null 2>&1 || missing+=(libbpf1)
if ((${#missing[@]})); then
  echo "ferry: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if ! mount | grep -q ' /sys/fs/bpf type bpf'; then
  mount -t bpf bpf /sys/fs/bpf
fi

ferry_find_jdk
export JAVA_HOME=$FERRY_JAVA_HOME
