# Linux-side benchmark targets (see bench/README.md). Included from the top-level Makefile.
#   make bench-native    pagefault-bench on the host
#   make bench-linux     pagefault-bench once on Linux 6.1 under QEMU (transparent_hugepage=never)
#   make bench-compare   several runs on Linux and on our kernel (tools/run-elf), side-by-side table
# Sizes: BENCH_MIB (default 64), BENCH_REPS (3), BENCH_RUNS (3); BENCH_ICOUNT=1 adds -icount.

BENCH_MIB  ?= 64
BENCH_REPS ?= 3
BENCH_RUNS ?= 3
BENCH_BIN  := $(BUILD)/bench/pagefault-bench

.PHONY: bench-native bench-linux bench-compare

$(BENCH_BIN): bench/pagefault-bench.c
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -o $@ $<

bench-native: $(BENCH_BIN)
	$(BENCH_BIN) $(BENCH_MIB) $(BENCH_REPS)

bench-linux: $(BENCH_BIN)
	tools/run-linux --thp never --timing $(BENCH_BIN) $(BENCH_MIB) $(BENCH_REPS)

bench-compare: $(BENCH_BIN)
	python3 bench/compare.py --runs $(BENCH_RUNS) --mib $(BENCH_MIB) --reps $(BENCH_REPS) \
	  $(if $(filter 1,$(BENCH_ICOUNT)),--icount) --binary $(BENCH_BIN)
