# Linux-side benchmark targets (see bench/README.md). Included from the top-level Makefile.
#   make bench-native    pagefault-bench on the host
#   make bench-linux     pagefault-bench once on Linux 6.1 under QEMU (transparent_hugepage=never)
#   make bench-compare   several runs on Linux and on our kernel (tools/run-elf), side-by-side table
#                        (page faults, then issue 9's process figures: bench/process-bench.c)
#   make bench-process-compare   the process table alone
#   make bench-thread-compare    issue 10's thread table alone (bench/thread-bench.c)
#   make bench-file-compare      issue 11 §5's file table alone (bench/file-bench.c)
#   make bench-zeroing   page-clearing instruction sequences timed on Linux under TCG (and -icount)
# Sizes: BENCH_MIB (default 64), BENCH_REPS (3), BENCH_RUNS (3) wall-clock runs per kernel;
# BENCH_ICOUNT_RUNS (1) runs under -icount shift=0 (instructions per page) at BENCH_ICOUNT_MIB (16).

BENCH_MIB  ?= 64
BENCH_REPS ?= 3
BENCH_RUNS ?= 3
BENCH_ICOUNT_RUNS ?= 1
BENCH_ICOUNT_MIB ?= 16
BENCH_BIN  := $(BUILD)/bench/pagefault-bench
# issue 9's process figures (bench/process-bench.c); BENCH_PROCESS_RUNS runs per kernel, each
# guest with BENCH_PROCESS_MEMORY of RAM
PROCESS_BENCH_BIN := $(BUILD)/bench/process-bench
BENCH_PROCESS_RUNS ?= $(BENCH_RUNS)
BENCH_PROCESS_MEMORY ?= 2G
# issue 10's thread figures (bench/thread-bench.c); BENCH_THREAD_RUNS runs per kernel
THREAD_BENCH_BIN := $(BUILD)/bench/thread-bench
BENCH_THREAD_RUNS ?= $(BENCH_RUNS)

.PHONY: bench-native bench-linux bench-compare bench-zeroing bench-process-compare \
  bench-thread-compare bench-file-compare

# issue 11 §5's file figures (bench/file-bench.c); BENCH_FILE_RUNS runs per kernel of a
# BENCH_FILE_MIB file (BENCH_FILE_ICOUNT_MIB under -icount), BENCH_FILE_EXEC_REPS executions of
# `python3.11 -c pass`, from a Debian root tree compare.py builds (tools/debian-root --python)
FILE_BENCH_BIN := $(BUILD)/bench/file-bench
BENCH_FILE_RUNS ?= $(BENCH_RUNS)
BENCH_FILE_MIB ?= 64
BENCH_FILE_ICOUNT_MIB ?= $(BENCH_ICOUNT_MIB)
BENCH_FILE_EXEC_REPS ?= 5

$(FILE_BENCH_BIN): bench/file-bench.c bench/bench-timing.h
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -o $@ $<

# the file table alone (~2 min)
bench-file-compare: $(FILE_BENCH_BIN)
	python3 bench/compare.py --tables file --file-runs $(BENCH_FILE_RUNS) \
	  --file-binary $(FILE_BENCH_BIN) --file-mib $(BENCH_FILE_MIB) --reps $(BENCH_REPS) \
	  --icount-runs $(BENCH_ICOUNT_RUNS) --file-icount-mib $(BENCH_FILE_ICOUNT_MIB) \
	  --file-exec-reps $(BENCH_FILE_EXEC_REPS)

$(THREAD_BENCH_BIN): bench/thread-bench.c bench/bench-timing.h
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -o $@ $<

$(PROCESS_BENCH_BIN): bench/process-bench.c bench/bench-timing.h
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -o $@ $<

$(BENCH_BIN): bench/pagefault-bench.c
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -o $@ $<

bench-native: $(BENCH_BIN)
	$(BENCH_BIN) $(BENCH_MIB) $(BENCH_REPS)

bench-linux: $(BENCH_BIN)
	tools/run-linux --thp never --timing $(BENCH_BIN) $(BENCH_MIB) $(BENCH_REPS)

bench-compare: $(BENCH_BIN) $(PROCESS_BENCH_BIN) $(THREAD_BENCH_BIN) $(FILE_BENCH_BIN)
	python3 bench/compare.py --runs $(BENCH_RUNS) --mib $(BENCH_MIB) --reps $(BENCH_REPS) \
	  --icount-runs $(BENCH_ICOUNT_RUNS) --icount-mib $(BENCH_ICOUNT_MIB) --binary $(BENCH_BIN) \
	  --process-runs $(BENCH_PROCESS_RUNS) --process-binary $(PROCESS_BENCH_BIN) \
	  --process-memory $(BENCH_PROCESS_MEMORY) \
	  --thread-runs $(BENCH_THREAD_RUNS) --thread-binary $(THREAD_BENCH_BIN) \
	  --file-runs $(BENCH_FILE_RUNS) --file-binary $(FILE_BENCH_BIN) --file-mib $(BENCH_FILE_MIB) \
	  --file-icount-mib $(BENCH_FILE_ICOUNT_MIB) --file-exec-reps $(BENCH_FILE_EXEC_REPS)

# the process table alone (~1 min)
bench-process-compare: $(PROCESS_BENCH_BIN)
	python3 bench/compare.py --tables process --process-runs $(BENCH_PROCESS_RUNS) \
	  --process-binary $(PROCESS_BENCH_BIN) --process-memory $(BENCH_PROCESS_MEMORY)

# the thread table alone (~1 min)
bench-thread-compare: $(THREAD_BENCH_BIN)
	python3 bench/compare.py --tables thread --thread-runs $(BENCH_THREAD_RUNS) \
	  --thread-binary $(THREAD_BENCH_BIN)

$(BUILD)/bench/zeroing-bench: bench/zeroing-bench.c
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -o $@ $<

bench-zeroing: $(BUILD)/bench/zeroing-bench
	tools/run-linux $<
	tools/run-linux --icount $<

# issue 12's swap figures (bench/swap-bench.c): fill, sequential and random re-read and
# fork + copy-on-write of a working set 2.5x RAM, Linux against ours with the same RAM and swap
# disk (RUN_ELF_MEMORY / RUN_ELF_SWAP). BENCH_SWAP_RUNS runs per kernel.
SWAP_BENCH_BIN := $(BUILD)/bench/swap-bench
BENCH_SWAP_RUNS ?= 1
BENCH_SWAP_MEMORY ?= 128M
BENCH_SWAP_SIZE ?= 1G

.PHONY: bench-swap-compare

$(SWAP_BENCH_BIN): bench/swap-bench.c
	@mkdir -p $(dir $@)
	musl-gcc -static -O2 -Wall -Wextra -o $@ $<

bench-swap-compare: $(SWAP_BENCH_BIN)
	python3 bench/swap-compare.py --binary $(SWAP_BENCH_BIN) --runs $(BENCH_SWAP_RUNS) \
	  --memory $(BENCH_SWAP_MEMORY) --swap $(BENCH_SWAP_SIZE)
