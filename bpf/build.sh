#!/usr/bin/env bash
# Compiles every bpf/src/*.bpf.c into OUT_DIR/NAME.bpf.o (clang -target bpf -O2 -g, BTF kept).
# Called by Maven (generate-resources); usable by hand: bpf/build.sh /tmp/out
set -euo pipefail
out=${1:?usage: build.sh OUT_DIR}
src=$(cd "$(dirname "$0")/src" && pwd)
for tool in clang llvm-strip; do
  command -v "$tool" >/dev/null || { echo "bpf/build.sh: $tool not found: run scripts/setup.sh (apt-get install clang llvm)" >&2; exit 1; }
done
[[ -f /usr/include/bpf/bpf_helpers.h ]] || { echo "bpf/build.sh: libbpf headers not found: apt-get install libbpf-dev" >&2; exit 1; }
arch_include=/usr/include/$(uname -m)-linux-gnu
shopt -s nullglob
mkdir -p "$out"
for c in "$src"/*.bpf.c; do
  obj="$out/$(basename "${c%.c}").o"
  clang -target bpf -O2 -g -Wall -Werror -I"$src" -I"$arch_include" -c "$c" -o "$obj"
  # Drop DWARF but keep BTF: the loader and the ABI test read BTF only.
  llvm-strip -g "$obj"
  echo "bpf: built $obj"
done
cp "$src"/ferry_abi.h "$out"/
