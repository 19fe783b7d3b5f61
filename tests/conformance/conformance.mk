# Conformance suites written by others (see tests/conformance/README.md). Included from the
# top-level Makefile. Slow (one Linux boot per suite, and one of our kernel when tools/run-elf
# exists), so not part of `make test`.
#   make conformance-build   extract the suites from Debian's linux-source-6.1 and build them
#   make conformance         run them on Linux (and ours) and print the per-case comparison

CONF_DIR := $(BUILD)/conformance
CONF_SRC := $(CONF_DIR)/src
CONF_STAMP := $(CONF_SRC)/.extracted

.PHONY: conformance conformance-build

$(CONF_STAMP): tests/conformance/extract-sources.sh
	tests/conformance/extract-sources.sh $(CONF_SRC)
	@touch $@

# As the suite's own Makefile builds it: nolibc only, no libc, static.
$(CONF_DIR)/nolibc-test: $(CONF_STAMP)
	gcc -Os -fno-ident -fno-asynchronous-unwind-tables -nostdlib -static \
	  -include $(CONF_SRC)/tools/include/nolibc/nolibc.h \
	  -o $@ $(CONF_SRC)/tools/testing/selftests/nolibc/nolibc-test.c -lgcc

$(CONF_DIR)/map_fixed_noreplace: $(CONF_STAMP)
	musl-gcc -static -O2 -I$(CONF_SRC)/tools/testing/selftests \
	  -o $@ $$(ls $(CONF_SRC)/tools/testing/selftests/*/map_fixed_noreplace.c | head -1)

conformance-build: $(CONF_DIR)/nolibc-test $(CONF_DIR)/map_fixed_noreplace

conformance: conformance-build
	python3 tests/conformance/run.py --build $(CONF_DIR)
