# Linux-side benchmark targets (see bench/README.md). Included from the top-level Makefile.
#   make bench-native    pagefault-bench on the host
#   make bench-linux     pagefault-bench once on Linux 6.1 under QEMU (transparent_hugepage=never)
#   make bench-compare   several runs on Linux and on our kernel (tools/run-elf), side-by-side table
#   make bench-zeroing   page-clearing instruction sequences timed on Linux under TCG (and -icount)
# Sizes: BENCH_MIB (default 64), BENCH_REPS (3), BENCH_RUNS (3) wall-clock runs per kernel;
# BENCH_ICOUNT_RUNS (1) runs under -icount shift=0 (instructions per page) at BENCH_ICOUNT_MIB (16).

BENCH_MIB  ?= 64
BENCH_REPS ?= 3
BENCH_RUNS ?= 3
BENCH_ICOUNT_RUNS ?= 1
BENCH_ICOUNT_MIB ?= 16
BENCH_BIN  := $(BUILD)/bench/pagefault-bench

.PHONY: bench-native bench-linux bench-compare bench-zeroing

$(BENCH_BIN): bench/pagefault-bench.c
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -o $@ $<

bench-native: $(BENCH_BIN)
	$(BENCH_BIN) $(BENCH_MIB) $(BENCH_REPS)

bench-linux: $(BENCH_BIN)
	tools/run-linux --thp never --timing $(BENCH_BIN) $(BENCH_MIB) $(BENCH_REPS)

bench-compare: $(BENCH_BIN)
	python3 bench/compare.py --runs $(BENCH_RUNS) --mib $(BENCH_MIB) --reps $(BENCH_REPS) \
	  --icount-runs $(BENCH_ICOUNT_RUNS) --icount-mib $(BENCH_ICOUNT_MIB) --binary $(BENCH_BIN)

$(BUILD)/bench/zeroing-bench: bench/zeroing-bench.c
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -o $@ $<

bench-zeroing: $(BUILD)/bench/zeroing-bench
	tools/run-linux $<
	tools/run-linux --icount $<
