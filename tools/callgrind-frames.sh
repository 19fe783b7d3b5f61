#!/bin/sh
# Instructions per operation of the core, counted exactly by callgrind (immune to a noisy
# machine): frame allocate+free pairs, and page-table map+unmap, translate and demand faults. Each configuration runs `memory-bench --callgrind-<pattern> N MiB occupied%` twice,
# with N pairs and with none; the set-up is identical, so the difference divided by N is the cost
# of one pair, loop included.
#
#   tools/callgrind-frames.sh            # the default table
#   PAIRS=2048000 SCRATCH=.build-x tools/callgrind-frames.sh
#
# Patterns: pair = allocate one frame and free it at once; batch = allocate 256 frames, then free
# them in a fixed shuffled order (walks fragmented memory and the summary tree); huge = allocate a
# 2 MiB page (512 frames aligned to 512) and free it (HUGE_PAIRS of them: each costs far more);
# map = map a 4 KiB page into existing tables and unmap it; translate = one translation of a
# 4 KiB page; fault = a demand write fault (zeroed frame, map) with its share of reserve and
# release (FAULT_PAGES of them), all on 64 MiB of emulated RAM.
set -eu
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build-frames}
PAIRS=${PAIRS:-1024000}
HUGE_PAIRS=${HUGE_PAIRS:-10240}
FAULT_PAGES=${FAULT_PAGES:-8192}
CONFIGS=${CONFIGS:-"pair:128:0 pair:1024:0 pair:1024:50 pair:1024:99 pair:16384:99 batch:1024:0 batch:1024:50 batch:1024:99 batch:16384:99 huge:1024:0 map:64:0 translate:64:0 fault:64:0"}

command -v valgrind >/dev/null || { echo "callgrind-frames: valgrind is not installed" >&2; exit 1; }
swift build -c release --scratch-path "$SCRATCH" --product memory-bench >&2
BIN="$SCRATCH/release/memory-bench"

# Total instructions callgrind counts for one run.
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" "$@" 2>&1 |
    sed -n 's/.*Collected : \([0-9][0-9]*\).*/\1/p'
}

printf '%-9s %10s %9s %16s\n' pattern memory occupied "instr/op"
for config in $CONFIGS; do
  pattern=${config%%:*}
  rest=${config#*:}
  mebibytes=${rest%%:*}
  occupied=${rest#*:}
  pairs=$PAIRS
  [ "$pattern" = huge ] && pairs=$HUGE_PAIRS
  [ "$pattern" = fault ] && pairs=$FAULT_PAGES
  base=$(count "--callgrind-$pattern" 0 "$mebibytes" "$occupied")
  work=$(count "--callgrind-$pattern" "$pairs" "$mebibytes" "$occupied")
  per_pair=$(awk -v w="$work" -v b="$base" -v n="$pairs" 'BEGIN { printf "%.1f", (w - b) / n }')
  printf '%-9s %6s MiB %8s%% %16s\n' "$pattern" "$mebibytes" "$occupied" "$per_pair"
done
