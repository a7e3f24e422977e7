#!/usr/bin/env bash
# Benchmarks (not tests): builds Ferry, installs the peers it is measured against, then measures
# with the packaged agent in the lab. Run as root.
#   scripts/bench.sh quick [packet|traffic|control ...]   under 5 minutes; report in bench/target/
#   scripts/bench.sh full  [packet|traffic|control ...]   writes docs/benchmarks.md and .png
#   scripts/bench.sh report quick|full                    the report again from the kept results
#   scripts/bench.sh policy-rate [trials [seconds]]        NetworkPolicy's cost on connection rate
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
source "$root/scripts/setup.sh"
cd "$root"

# The peers (kube-proxy's iptables and nftables dataplanes) and the chart's plotting library.
missing=()
for pair in iptables-restore:iptables nft:nftables taskset:util-linux; do
  command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
done
/usr/bin/python3 -c 'import matplotlib' 2>/dev/null || missing+=(python3-matplotlib)
if ((${#missing[@]})); then
  echo "ferry: installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

mvn -B -ntp -q package -DskipTests
which=${1:-quick}
case "$which" in
  policy-rate) main=dev.ferry.bench.PolicyConnectionRate; shift ;;
  quick|full|report) main=dev.ferry.bench.Bench ;;
  *) echo "unknown benchmark: $which (known: quick, full, report, policy-rate)" >&2; exit 2 ;;
esac
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow \
  -cp "agent/target/ferry.jar:bench/target/classes:bench/target/lib/*" "$main" "$@"
