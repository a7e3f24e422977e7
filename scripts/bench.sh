#!/usr/bin/env bash
# Benchmarks (not tests): builds Ferry, then runs a measurement against the lab with the
# packaged agent. Run as root. Usage: scripts/bench.sh [policy-rate [trials [seconds]]]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/setup.sh"
cd "$root"
mvn -B -ntp -q package -DskipTests
which=${1:-quick}
case "$which" in
  policy-rate) main=dev.ferry.bench.PolicyConnectionRate; shift ;;
  quick|full) main=dev.ferry.bench.Bench ;;
  *) echo "unknown benchmark: $which (known: quick, full, policy-rate)" >&2; exit 2 ;;
esac
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -cp "agent/target/ferry.jar:bench/target/classes:bench/target/lib/*" "$main" "$@"
