#!/usr/bin/env bash
# The demo: a one-node lab in network namespaces (a client pod, two backend pods, one
# ClusterIP service), the agent, and real requests through the service. Run as root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/setup.sh"
cd "$root"
if [[ ! -f agent/target/ferry.jar ]] || [[ -n $(find bpf/src ffm-bindings/src agent/src -newer agent/target/ferry.jar -type f -print -quit) ]]; then
  echo "ferry: building (mvn package)..."
  mvn -B -ntp -q package -DskipTests
fi
exec bin/ferry demo "$@"
