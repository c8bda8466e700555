#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The ring_size module parameter (4 KiB pages per direction, kept for
# compatibility) with values a user may give by mistake: too small, so
# large that pages times 4096 overflows 32 bits (2^20 pages is 4 GiB, read
# as 0; 2^20 + 1 pages as one page), the largest unsigned value, and more
# than VMBus can allocate.  Each time the driver must either probe with a
# sane ring, every NIC getting a netdev that passes traffic with no report
# in the kernel log, or refuse to load with a clear message; a value it
# changes must be said in the kernel log.

source "$(dirname "$0")/hv_lib.sh"

hv_init
hv_unload || { fail "rmmod after the first load"; hv_finish; }

# rs_try PAGES: load with ring_size=PAGES; traffic if it loads
rs_try() {
	local pages=$1 lines
	lines=$(dmesg | wc -l)
	if HV_DRV_PARAMS="ring_size=$pages" hv_load 2>/tmp/rs.err; then
		if hv_pair && ping_ok $NS_A $IP_B && ping_ok $NS_B $IP_A; then
			ok "ring_size=$pages: every NIC probes and passes traffic"
		else
			fail "ring_size=$pages: every NIC probes and passes traffic"
		fi
		hv_unpair
		check "ring_size=$pages: rmmod" hv_unload
	elif grep -q ring_size /tmp/rs.err ||
	     dmesg | tail -n +$((lines + 1)) | grep -q ring_size; then
		ok "ring_size=$pages: refused with a message naming ring_size"
		rmmod hv_netvsc 2>/dev/null
	else
		fail "ring_size=$pages: neither probes nor says why ($(head -c 200 /tmp/rs.err))"
		rmmod hv_netvsc 2>/dev/null
	fi
	said=$(dmesg | tail -n +$((lines + 1)) | grep -i 'ring_size' | head -n 1)
	info "ring_size=$pages: the driver said: ${said:-nothing}"
	if [ "$pages" != 128 ] && ! hv_pending "said-$pages"; then
		if [ -n "$said" ]; then
			ok "ring_size=$pages: the kernel log says what became of it"
		else
			fail "ring_size=$pages: the kernel log says what became of it"
		fi
	fi
}

for pages in 128 1 1048576 1048577 4294967295 100000; do
	hv_pending "$pages" && continue
	rs_try $pages
done

hv_finish
