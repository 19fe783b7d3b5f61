# The bootable kernel (issue 3): Embedded Swift + a little assembly and C, built with the Swift
# toolchain alone (swiftc, its clang, ld.lld). Included from the top-level Makefile.
#
#   make kernel        build/kernel.elf (ELF64, for gdb and llvm-symbolizer)
#                      build/kernel32.elf (the same image as ELF32: what QEMU -kernel loads)
#   make run           boot it in QEMU (TCG, serial on the terminal, hard timeout)
#   make debug         QEMU stopped at the first instruction with a gdb stub on :1234
#   make system-test   the QEMU-based system tests (tests/system, pytest)
#   make shell         busybox sh on the kernel's console terminal, on this terminal (^A x quits)

# Where the kernel image runs: virtual = physical + KERNEL_VIRTUAL_BASE. The default is PML4
# slot 254, the first of the two lower-half slots reserved for the kernel (supervisor-only;
# the heap is in slot 255; UserLayout.firstKernelSlot = 254 keeps processes below). Not the classic
# 0xffffffff80000000 because Swift's x86_64 ABI keeps flags in the top bits of object and string
# pointers (String's discriminator nibble, bits 60-63; heap-object spare bits 0x7F00000000000006):
# a string literal in a higher-half .rodata decodes as a "foreign" string and traps. Build with
# KERNEL_VIRTUAL_BASE=0xffffffff80000000 to see it (README "Why the image is not in the top 2 GiB").
KERNEL_VIRTUAL_BASE ?= 0x00007f0000000000

KERNEL_BUILD   := $(BUILD)/kernel
KERNEL_ELF     := $(BUILD)/kernel.elf
KERNEL_IMAGE   := $(BUILD)/kernel32.elf
KERNEL_SWIFT   := $(shell find Kernel -name '*.swift' | sort)
KERNEL_ASM     := $(shell find Kernel -name '*.S' | sort)
KERNEL_C       := $(shell find Kernel -name '*.c' | sort)
KERNEL_HEADERS := $(shell find Kernel -name '*.h' -o -name 'module.modulemap')
KERNEL_LDS     := Kernel/linker.ld
KERNEL_TOOLS   := $(dir $(shell command -v $(SWIFTC)))
KERNEL_CLANG   := $(KERNEL_TOOLS)clang
KERNEL_LD      := $(KERNEL_TOOLS)ld.lld
KERNEL_OBJDUMP := $(KERNEL_TOOLS)llvm-objdump
KERNEL_OBJCOPY := $(KERNEL_TOOLS)llvm-objcopy
KERNEL_EMBEDDED_LIB := $(KERNEL_TOOLS)../lib/swift/embedded/x86_64-unknown-none-elf

# The kernel's Swift optimization level. -Osize is the default (as the embedded check); -O
# inlines more: 6-13 % fewer guest instructions per fault, futex hand-off and SIGSEGV round
# trip, a 15 % larger image, ~17 % more compile CPU (2 m 28 s against 2 m 06 s measured;
# Kernel/PROCESSES.md "Where demand-fault wall time goes under TCG"). Not yet run through the
# suites. `make KERNEL_OPTIMIZATION=-O kernel` builds that one.
KERNEL_OPTIMIZATION ?= -Osize
KERNEL_OPTIMIZATION_STAMP := $(KERNEL_BUILD)/optimization
$(shell mkdir -p $(KERNEL_BUILD) && [ "$$(cat $(KERNEL_OPTIMIZATION_STAMP) 2>/dev/null)" = "$(KERNEL_OPTIMIZATION)" ] \
  || echo "$(KERNEL_OPTIMIZATION)" > $(KERNEL_OPTIMIZATION_STAMP))

# -g: gdb and llvm-symbolizer can name source lines. -assert-config Debug: a failed precondition
# prints its message through putchar instead of a bare ud2.
KERNEL_SWIFTFLAGS := $(filter-out -Osize,$(EMBEDDED_SWIFTFLAGS)) $(KERNEL_OPTIMIZATION) \
  -module-name Kernel -g -assert-config Debug \
  -I Kernel/Support/include
KERNEL_CFLAGS := --target=x86_64-unknown-none-elf -ffreestanding -fno-builtin -nostdlib \
  -mno-red-zone -mno-sse -mno-sse2 -mno-mmx -mno-80387 -fno-stack-protector \
  -fpie -mcmodel=small -DKERNEL_VIRTUAL_BASE=$(KERNEL_VIRTUAL_BASE) -O2 -g -Wall -Wextra -Werror -ffunction-sections -I Kernel/Support/include
KERNEL_LDFLAGS := -T $(KERNEL_LDS) --defsym=KERNEL_VIRTUAL_BASE=$(KERNEL_VIRTUAL_BASE) \
  -nostdlib -static --no-pie --gc-sections -z max-page-size=4096

# Everything is rebuilt when KERNEL_VIRTUAL_BASE changes: the stamp holds the value last built.
KERNEL_BASE_STAMP := $(KERNEL_BUILD)/virtual-base
$(shell mkdir -p $(KERNEL_BUILD) && [ "$$(cat $(KERNEL_BASE_STAMP) 2>/dev/null)" = "$(KERNEL_VIRTUAL_BASE)" ] \
  || echo "$(KERNEL_VIRTUAL_BASE)" > $(KERNEL_BASE_STAMP))

KERNEL_OBJS := $(KERNEL_BUILD)/kernel-swift.o \
  $(patsubst Kernel/%.S,$(KERNEL_BUILD)/%.o,$(KERNEL_ASM)) \
  $(patsubst Kernel/%.c,$(KERNEL_BUILD)/%.o,$(KERNEL_C))

QEMU_RUN := tools/qemu-run

.PHONY: kernel run run-programs debug system-test kernel-check shell

kernel: $(KERNEL_IMAGE) kernel-check

all: kernel

# The core's sources and the kernel's compile as ONE whole-module Swift module: the core is
# part of the kernel, no import needed.
$(KERNEL_BUILD)/kernel-swift.o: $(CORE_SOURCES) $(ABI_SOURCES) $(KERNEL_SWIFT) $(KERNEL_HEADERS) Kernel/kernel.mk \
  $(KERNEL_BASE_STAMP) $(KERNEL_OPTIMIZATION_STAMP)
	@mkdir -p $(dir $@)
	$(SWIFTC) $(KERNEL_SWIFTFLAGS) -emit-object $(CORE_SOURCES) $(ABI_SOURCES) $(KERNEL_SWIFT) -o $@
	@# swiftc leaves an unchanged object's timestamp alone: without this, a comment edit makes
	@# the object look stale forever and every run-elf rebuilds the kernel.
	@touch $@

$(KERNEL_BUILD)/%.o: Kernel/%.S $(KERNEL_HEADERS) Kernel/kernel.mk $(KERNEL_BASE_STAMP)
	@mkdir -p $(dir $@)
	$(KERNEL_CLANG) $(KERNEL_CFLAGS) -c $< -o $@

$(KERNEL_BUILD)/%.o: Kernel/%.c $(KERNEL_HEADERS) Kernel/kernel.mk $(KERNEL_BASE_STAMP)
	@mkdir -p $(dir $@)
	$(KERNEL_CLANG) $(KERNEL_CFLAGS) -c $< -o $@

# Two link passes: the first image's function symbols become the symbol table embedded in the
# second (after .text, so no code address moves), which panics use to name the faulting function.
$(KERNEL_BUILD)/symbols-empty.o: tools/gen-kernel-symbols
	@mkdir -p $(dir $@)
	tools/gen-kernel-symbols > $(KERNEL_BUILD)/symbols-empty.S
	$(KERNEL_CLANG) $(KERNEL_CFLAGS) -c $(KERNEL_BUILD)/symbols-empty.S -o $@

$(KERNEL_BUILD)/kernel-pass1.elf: $(KERNEL_OBJS) $(KERNEL_BUILD)/symbols-empty.o $(KERNEL_LDS)
	$(KERNEL_LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(KERNEL_BUILD)/symbols-empty.o \
	  $(wildcard $(KERNEL_EMBEDDED_LIB)/libswiftUnicodeDataTables.a)

$(KERNEL_ELF): $(KERNEL_BUILD)/kernel-pass1.elf
	tools/gen-kernel-symbols $< > $(KERNEL_BUILD)/symbols.S
	$(KERNEL_CLANG) $(KERNEL_CFLAGS) -c $(KERNEL_BUILD)/symbols.S -o $(KERNEL_BUILD)/symbols.o
	$(KERNEL_LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(KERNEL_BUILD)/symbols.o \
	  $(wildcard $(KERNEL_EMBEDDED_LIB)/libswiftUnicodeDataTables.a)

# QEMU's Multiboot loader refuses ELF64: hand it the same image as ELF32 (the physical load
# addresses are kept; only the entry point's 32-bit code runs before long mode).
$(KERNEL_IMAGE): $(KERNEL_ELF)
	$(KERNEL_OBJCOPY) -O elf32-i386 $< $@

## Rejects SSE/x87 instructions anywhere in the image: the kernel never enables the FPU, so one
## would fault (#UD/#NM), and under a real KVM they would corrupt a process's FPU state.
## The embedded symbol table must describe the final image (tools/check-symbol-table).
kernel-check: $(KERNEL_ELF)
	@tools/check-kernel-instructions $(KERNEL_OBJDUMP) $(KERNEL_ELF)
	@tools/check-symbol-table $(KERNEL_BUILD)/kernel-pass1.elf $(KERNEL_ELF)

# QEMU's status follows the isa-debug-exit contract: 33 is the kernel's clean shutdown.
run: kernel
	@status=0; $(QEMU_RUN) --timeout 60 -- $(if $(APPEND),-append "$(APPEND)") || status=$$?; \
	case $$status in \
	  33) echo "make run: clean shutdown (QEMU exit status 33)" ;; \
	  35) echo "make run: kernel panic (QEMU exit status 35)"; exit 1 ;; \
	  37) echo "make run: self-tests failed (QEMU exit status 37)"; exit 1 ;; \
	  124|137) echo "make run: QEMU timed out (status $$status)"; exit 1 ;; \
	  *) echo "make run: unexpected QEMU exit status $$status"; exit 1 ;; \
	esac
	$(if $(APPEND),,@$(MAKE) --no-print-directory run-programs)

# The process demonstration (Kernel/PROCESSES.md): static musl programs in ring 3 — one that
# demand-pages 64 MiB (fault counts, memory in use), one killed for touching memory it never
# had, three processes alive at once in a pipeline sharing 16 MiB copy-on-write (the launch
# line counts them and the frames shared) — then the kernel's final memory summary. QEMU exits
# 33 only if every frame came back.
DEMO_PROGRAMS := $(BUILD)/programs/musl/hello $(BUILD)/programs/musl/demand_paging \
  $(BUILD)/programs/musl/hostile_null_deref $(BUILD)/programs/musl/process_demo
run-programs: kernel $(DEMO_PROGRAMS)
	@status=0; $(QEMU_RUN) --timeout 120 -- -initrd "$(word 1,$(DEMO_PROGRAMS)),$(word 2,$(DEMO_PROGRAMS)) 64,$(word 3,$(DEMO_PROGRAMS)),$(word 4,$(DEMO_PROGRAMS)) 16" || status=$$?; \
	case $$status in \
	  33) echo "make run: programs ran, every frame came back (QEMU exit status 33)" ;; \
	  35) echo "make run: kernel panic (QEMU exit status 35)"; exit 1 ;; \
	  37) echo "make run: frame accounting failed (QEMU exit status 37)"; exit 1 ;; \
	  *) echo "make run: unexpected QEMU exit status $$status"; exit 1 ;; \
	esac

# Busybox `sh` on the console terminal (Kernel/PROCESSES.md, "The console terminal"): the root
# is Debian's busybox-static with its applets and the demo programs (tools/shell-root fetches
# busybox on first use); tools/run-elf on a terminal boots with console=tty and hands QEMU this
# terminal in raw mode. `exit` ends the kernel's run; ^A x quits QEMU.
SHELL_ROOT := $(BUILD)/shell-root
shell: kernel $(DEMO_PROGRAMS)
	tools/shell-root $(SHELL_ROOT) $(DEMO_PROGRAMS)
	@echo "make shell: busybox sh on the kernel's terminal; 'exit' ends the run, ^A x quits QEMU"
	RUN_ELF_KERNEL=$(KERNEL_IMAGE) tools/run-elf --root $(SHELL_ROOT) /bin/sh

debug: kernel
	@echo "QEMU is waiting for gdb. In another terminal:"
	@echo "  gdb $(KERNEL_ELF) -ex 'target remote :1234' -ex 'hbreak kernel_main' -ex continue"
	$(QEMU_RUN) --timeout 3600 -- -s -S $(if $(APPEND),-append "$(APPEND)")

system-test: kernel
	python3 -m pytest -q tests/system
