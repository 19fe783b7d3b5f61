# tests/programs/programs.mk — the user-space test programs of issue 4 and their harness.
# Included by the top-level Makefile. Targets:
#   make userspace-programs      build every program into build/programs/{musl,raw,glibc}/
#   make userspace-test          build, then run tests/userspace (native, plus the kernel runner
#                                when tools/run-elf exists and is executable)
#   make userspace-test-native   the same with the native runner only (part of `make test`)

PROG_SRC   := tests/programs
PROG_BUILD := $(BUILD)/programs
PROG_HEADERS := $(wildcard $(PROG_SRC)/*.h)

# Programs written against rt.h alone: built with musl and freestanding (raw system calls).
PROG_RT := $(sort $(basename $(notdir $(shell grep -l '^\#include "\(rt\|hostile\|secret\)\.h"' $(PROG_SRC)/*.c))))
# Programs that need a libc.
PROG_MUSL_ONLY := malloc_stress hello signal_libc rootfs_walk stdin_argv process_demo \
  signal_delivery signal_badreturn proc_self
PROG_MUSL_ONLY += tmpfs_calls tmpfs_big tmpfs_exec_memfd file_mmap_coherence
PROG_MUSL_ONLY += sigreturn_selectors exec_signal_state sigqueueinfo
PROG_MUSL_ONLY += tty_termios
PROG_MUSL_ONLY += exec_text_busy file_mmap_maxprot proc_files
PROG_MUSL_ONLY += tmpfs_swap
PROG_MUSL_ONLY += swap-multi swap-full

PROG_BINARIES := $(PROG_RT:%=$(PROG_BUILD)/musl/%) $(PROG_RT:%=$(PROG_BUILD)/raw/%) \
  $(PROG_MUSL_ONLY:%=$(PROG_BUILD)/musl/%) $(PROG_BUILD)/glibc/hello $(PROG_BUILD)/glibc/hello_pie \
  $(PROG_BUILD)/glibc/signal_libc $(PROG_BUILD)/glibc/signal_delivery

# POSIX-thread programs (issue 10, threads.h): built with musl and glibc, -pthread.
PROG_THREADS := threads_basic threads_futex threads_memory threads_cancel threads_signals
PROG_THREADS += prctl_name  # comm through prctl and /proc (busybox ps)
PROG_BINARIES += $(PROG_THREADS:%=$(PROG_BUILD)/musl/%) $(PROG_THREADS:%=$(PROG_BUILD)/glibc/%)

MUSL_CC   ?= musl-gcc
GLIBC_CC  ?= gcc
PROG_WARN := -Wall -Wextra -Wno-infinite-recursion
MUSL_CFLAGS := -static -O2 $(PROG_WARN)
RAW_CFLAGS  := -static -nostdlib -ffreestanding -fno-stack-protector -fno-pic -no-pie -O2 \
  -mgeneral-regs-only \
  -DRT_RAW $(PROG_WARN)

.PHONY: userspace-programs userspace-test userspace-test-native

userspace-programs: $(PROG_BINARIES)

$(PROG_BUILD)/musl/%: $(PROG_SRC)/%.c $(PROG_HEADERS) $(PROG_SRC)/programs.mk
	@mkdir -p $(@D)
	$(MUSL_CC) $(MUSL_CFLAGS) -o $@ $<

$(PROG_BUILD)/raw/%: $(PROG_SRC)/%.c $(PROG_HEADERS) $(PROG_SRC)/programs.mk
	@mkdir -p $(@D)
	$(GLIBC_CC) $(RAW_CFLAGS) -o $@ $<

$(PROG_BUILD)/glibc/%: $(PROG_SRC)/%.c $(PROG_SRC)/programs.mk
	@mkdir -p $(@D)
	$(GLIBC_CC) -static -O2 $(PROG_WARN) -o $@ $<

$(PROG_THREADS:%=$(PROG_BUILD)/musl/%): $(PROG_BUILD)/musl/%: $(PROG_SRC)/%.c $(PROG_SRC)/threads.h $(PROG_SRC)/programs.mk
	@mkdir -p $(@D)
	$(MUSL_CC) $(MUSL_CFLAGS) -pthread -o $@ $<

$(PROG_THREADS:%=$(PROG_BUILD)/glibc/%): $(PROG_BUILD)/glibc/%: $(PROG_SRC)/%.c $(PROG_SRC)/threads.h $(PROG_SRC)/programs.mk
	@mkdir -p $(@D)
	$(GLIBC_CC) -static -O2 $(PROG_WARN) -pthread -o $@ $<

# A static-PIE (ET_DYN, no interpreter) for the ELF loader's relocatable path. glibc only: Debian's
# musl-gcc -static-pie still asks for /lib/ld-musl-x86_64.so.1.
$(PROG_BUILD)/glibc/hello_pie: $(PROG_SRC)/hello.c $(PROG_SRC)/programs.mk
	@mkdir -p $(@D)
	$(GLIBC_CC) -static-pie -fPIE -O2 $(PROG_WARN) -o $@ $<

userspace-test: userspace-programs
	python3 -m pytest -q tests/userspace

userspace-test-native: userspace-programs
	USERSPACE_RUNNERS=native python3 -m pytest -q tests/userspace
