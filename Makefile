# The project's build entry points. `make test` is the README's test command; `make run` boots
# the kernel. Every QEMU run goes through a script with a hard timeout.

SWIFTC  ?= swiftc
BUILD   := build
CORE_SOURCES := $(shell find Sources/KernelMemory -name '*.swift' | sort)
ABI_SOURCES  := $(shell find Sources/LinuxABI -name '*.swift' | sort)

# The kernel's Swift flags (see ../shared/notes/embedded-swift-x86_64.md): Embedded mode for the
# bare-metal triple, no red zone, no SSE/MMX, no stack protector.
EMBEDDED_SWIFTFLAGS := -enable-experimental-feature Embedded -target x86_64-unknown-none-elf \
  -wmo -parse-as-library -Osize -Xcc -mno-red-zone -Xcc -mno-sse -Xcc -mno-sse2 -Xcc -mno-mmx \
  -Xfrontend -disable-stack-protector -Xfrontend -function-sections

.PHONY: all deps test host-test embedded-check bench format clean

all: embedded-check

include Kernel/kernel.mk
include bench/bench.mk tests/conformance/conformance.mk
include tests/programs/programs.mk

## Compile the core library alone in Embedded mode with the kernel's flags: code that would not
## build into the kernel fails here.
embedded-check: $(BUILD)/core-embedded.o $(BUILD)/linuxabi-embedded.o

$(BUILD)/core-embedded.o: $(CORE_SOURCES)
	@mkdir -p $(BUILD)
	$(SWIFTC) $(EMBEDDED_SWIFTFLAGS) -module-name KernelMemory -emit-object $(CORE_SOURCES) -o $@
	@echo "embedded-check: core compiles in Embedded mode"

# The Linux ABI layer (ELF loading, initial stack, system-call decoding) with the core, as the
# kernel compiles them: one whole module.
$(BUILD)/linuxabi-embedded.o: $(CORE_SOURCES) $(ABI_SOURCES)
	@mkdir -p $(BUILD)
	$(SWIFTC) $(EMBEDDED_SWIFTFLAGS) -module-name LinuxABICheck -emit-object $(CORE_SOURCES) $(ABI_SOURCES) -o $@
	@echo "embedded-check: LinuxABI compiles in Embedded mode"

## The host tests run twice: debug, and release, because an optimiser bug that only the
## release build showed (the walk path type the one walk replaced; bench/README.md) must stay caught.
host-test:
	swift build --build-tests
	swift test
	swift test -c release

## Installs missing system packages (as root) or says exactly which to install.
deps:
	tools/install-deps

test: deps
	$(MAKE) embedded-check host-test system-test userspace-test

bench:
	swift run -c release memory-bench

format:
	swift format --in-place --recursive Sources Tests Package.swift

clean:
	rm -rf $(BUILD) .build
