# SPDX-License-Identifier: GPL-2.0
#
# hv_netvsc and its simulated Hyper-V host.
#
#   make deps      install what the build and the guest need (Debian packages)
#   make           build the modules against KDIR (default: the guest kernel)
#   make install   install the driver into /lib/modules/<kver>/updates
#   make check     static checks, the simulator's own tests, every selftest
#   make demo      boot the guest and tour the driver
#   make bench     throughput and packet rate: ours, the reference, veth
#   make reconfig-time  how long traffic stops during -L, -G and MTU changes
#   make vm        an interactive shell in the guest
#   make debug-kernel   build the checking kernel (KASAN, lockdep, ...)
#   make check-debug    every selftest for both drivers on it
#   make check-kcsan    hammer, fuzz, cross_completions on the KCSAN kernel
#   make fuzz, make stress   the long runs on it (see scripts/long-run.sh)
#
# KERNEL=debug (or kcsan) builds the modules for that checking kernel, in
# build/<flavour>/, from copies of the sources.

CACHE ?= /var/tmp/hv-netvsc-cache
export HV_CACHE := $(CACHE)
-include $(CACHE)/env.mk

SIM := tools/testing/selftests/drivers/net/hyperv/sim
DRV := drivers/net/hyperv
# Programs the selftests run in the guest, static so that scripts/vm-run
# can copy them without libraries
HELPERS := $(SIM:/sim=)/hv_exthdr
# Our driver joins the build once it exists.
HAVE_DRV := $(wildcard $(DRV)/Makefile)
KBUILD_OPTS ?=

KERNEL ?=
ifneq ($(KERNEL),)
-include $(CACHE)/env-$(KERNEL).mk
KBUILD_DIR := $(CURDIR)/build/$(KERNEL)
SIM_OUT := $(KBUILD_DIR)/sim
DRV_OUT := $(KBUILD_DIR)/drv
else
SIM_OUT := $(CURDIR)/$(SIM)
DRV_OUT := $(CURDIR)/$(DRV)
endif

ifeq ($(origin KDIR),command line)
# A kernel of the user's own (a real Hyper-V or Azure guest): the driver
# alone, and nothing installed from Debian's packages.
BUILD_SIM :=
else
KDIR := $(KDIR_GUEST)
BUILD_SIM := y
endif

all: modules

deps:
	@scripts/deps.sh

# Re-run deps quietly whenever something is missing.
.deps-ok:
	@scripts/deps.sh --check || scripts/deps.sh

# The facts in env.mk (KDIR_GUEST, KSRC, ...) are read when this file is
# parsed, so on a fresh machine they must exist before any rule runs: make
# remakes an included file it has a rule for, then reads itself again.
# deps.sh only rewrites env.mk when something was missing, so a machine
# that has everything does not restart make.
ifneq ($(BUILD_SIM),)
ifeq ($(filter deps clean,$(MAKECMDGOALS)),)
$(CACHE)/env.mk: FORCE
	@scripts/deps.sh --check || scripts/deps.sh
endif
endif
FORCE:

modules: $(if $(BUILD_SIM),.deps-ok) $(if $(KERNEL),kernel-$(KERNEL)-copy) \
	 $(if $(BUILD_SIM),$(HELPERS))
ifneq ($(BUILD_SIM),)
	$(MAKE) -C $(KDIR) M=$(SIM_OUT) HV_PRIV_INC=$(KSRC)/drivers/hv \
		$(KBUILD_OPTS) modules
endif
ifneq ($(HAVE_DRV),)
	$(MAKE) -C $(KDIR) M=$(DRV_OUT) CONFIG_HYPERV_NET=m \
		$(KBUILD_OPTS) modules
endif

$(HELPERS): %: %.c
	$(CC) -static -O2 -Wall -Wextra -o $@ $<

# A checking kernel's modules are built from copies, so that the ones
# for Debian's kernel in the tree stay as they are.
kernel-%-copy:
	@test -f $(CACHE)/env-$*.mk || { \
		echo "no $* kernel: make $*-kernel" >&2; false; }
	@mkdir -p $(SIM_OUT) $(DRV_OUT)
	@cp -p $(SIM)/Makefile $(SIM)/*.[ch] $(SIM_OUT)/
	@cp -p $(DRV)/Makefile $(DRV)/Kconfig $(DRV)/*.[ch] $(DRV_OUT)/

debug-kernel kcsan-kernel: .deps-ok
	@scripts/build-kernel.sh $(@:-kernel=)

check-debug: .deps-ok
	@scripts/check.sh --kernel debug

# The data race detector on the tests that run every queue at once: the
# hammer, the fuzzer, completions on other queues.  Races KCSAN finds in
# the core kernel are listed in out/kcsan/races.txt; one in our modules
# fails the test.
KCSAN_TESTS ?= hammer fuzz cross_completions
check-kcsan: .deps-ok
	@mkdir -p out/kcsan && : > out/kcsan/races.txt
	@HV_DRIVERS=$${HV_DRIVERS:-ours} HV_TESTS="$(KCSAN_TESTS)" \
		HV_KCSAN_LOG=$(CURDIR)/out/kcsan/races.txt \
		scripts/check.sh --kernel kcsan

# make fuzz [HV_FUZZ_BUDGET=N] [HV_FUZZ_SEED=S]; make stress [HV_STRESS_OPS=N
# HV_STRESS_SEED=S ...]: on the debug kernel, for ours (HV_DRIVER=ref too)
fuzz stress: .deps-ok
	@scripts/long-run.sh $@

install: modules
ifneq ($(HAVE_DRV),)
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(DRV) CONFIG_HYPERV_NET=m \
		INSTALL_MOD_DIR=updates modules_install
	depmod -a $(shell cat $(KDIR)/include/config/kernel.release)
else
	@echo "install: our driver is not in the tree yet" >&2; false
endif

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(SIM) clean
ifneq ($(HAVE_DRV),)
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(DRV) clean
endif
	if [ -f $(SIM)/test/Makefile ]; then $(MAKE) -C $(SIM)/test clean; fi
	rm -rf out build $(HELPERS)

check: .deps-ok
	@scripts/check.sh

demo: modules
	@scripts/demo.sh

bench: modules
	@scripts/bench.sh

reconfig-time: modules
	@scripts/reconfig-time.sh

vm: modules
	@scripts/vm-run --shell

.PHONY: all deps .deps-ok modules install clean check demo bench reconfig-time vm FORCE \
	debug-kernel kcsan-kernel check-debug check-kcsan fuzz stress
