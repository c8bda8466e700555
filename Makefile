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

CACHE ?= /var/tmp/hv-netvsc-cache
-include $(CACHE)/env.mk

SIM := tools/testing/selftests/drivers/net/hyperv/sim
DRV := drivers/net/hyperv
# Our driver joins the build once it exists.
HAVE_DRV := $(wildcard $(DRV)/Makefile)
KBUILD_OPTS ?=

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

modules: $(if $(BUILD_SIM),.deps-ok)
ifneq ($(BUILD_SIM),)
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(SIM) HV_PRIV_INC=$(KSRC)/drivers/hv \
		$(KBUILD_OPTS) modules
endif
ifneq ($(HAVE_DRV),)
	$(MAKE) -C $(KDIR) M=$(CURDIR)/$(DRV) CONFIG_HYPERV_NET=m \
		$(KBUILD_OPTS) modules
endif

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
	rm -rf out

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

.PHONY: all deps .deps-ok modules install clean check demo bench reconfig-time vm
