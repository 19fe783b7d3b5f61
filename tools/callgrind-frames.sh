#!/bin/sh
# Instructions per frame allocate+free pair, counted exactly by callgrind (immune to a noisy
# machine). Each configuration runs `memory-bench --callgrind-<pattern> N MiB occupied%` twice,
# with N pairs and with none; the set-up is identical, so the difference divided by N is the cost
# of one pair, loop included.
#
#   tools/callgrind-frames.sh            # the default table
#   PAIRS=2048000 SCRATCH=.build-x tools/callgrind-frames.sh
#
# Patterns: pair = allocate one frame and free it at once; batch = allocate 256 frames, then free
# them in a fixed shuffled order (walks fragmented memory and the summary tree); huge = allocate a
# 2 MiB page (512 frames aligned to 512) and free it (HUGE_PAIRS of them: each costs far more).
set -eu
cd "$(dirname "$0")/.."
SCRATCH=${SCRATCH:-.build-frames}
PAIRS=${PAIRS:-1024000}
HUGE_PAIRS=${HUGE_PAIRS:-10240}
CONFIGS=${CONFIGS:-"pair:128:0 pair:1024:0 pair:1024:50 pair:1024:99 pair:16384:99 batch:1024:0 batch:1024:50 batch:1024:99 batch:16384:99 huge:1024:0"}

command -v valgrind >/dev/null || { echo "callgrind-frames: valgrind is not installed" >&2; exit 1; }
swift build -c release --scratch-path "$SCRATCH" --product memory-bench >&2
BIN="$SCRATCH/release/memory-bench"

# Total instructions callgrind counts for one run.
count() {
  valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" "$@" 2>&1 |
    sed -n 's/.*Collected : \([0-9][0-9]*\).*/\1/p'
}

printf '%-8s %10s %9s %16s\n' pattern memory occupied "instr/pair"
for config in $CONFIGS; do
  pattern=${config%%:*}
  rest=${config#*:}
  mebibytes=${rest%%:*}
  occupied=${rest#*:}
  pairs=$PAIRS
  [ "$pattern" = huge ] && pairs=$HUGE_PAIRS
  base=$(count "--callgrind-$pattern" 0 "$mebibytes" "$occupied")
  work=$(count "--callgrind-$pattern" "$pairs" "$mebibytes" "$occupied")
  per_pair=$(awk -v w="$work" -v b="$base" -v n="$pairs" 'BEGIN { printf "%.1f", (w - b) / n }')
  printf '%-8s %6s MiB %8s%% %16s\n' "$pattern" "$mebibytes" "$occupied" "$per_pair"
done
