#!/usr/bin/env bash
# Runs every test: unit and golden tests, then the privileged ones (BPF_PROG_TEST_RUN,
# BPF attach, network namespaces with the real agent). Run as root on Debian 12.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/setup.sh"
cd "$root"
exec mvn -B -ntp verify "$@"
