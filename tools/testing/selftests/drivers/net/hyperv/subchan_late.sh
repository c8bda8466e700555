#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A subchannel offer that arrives after the driver stopped waiting for it
# and closed the channel that asked.  The bus reads the primary's offer
# callback and calls it later, and vmbus_close() does not wait for a
# callback already read: the simulator's subchan_late fault does just
# that, holding the offer of one subchannel for subchan_late_ms.  A NIC is
# hot-added with it; once its probe has given up on the subchannel (the
# bring-up's bounded wait), the driver is unbound from it, which closes and
# frees the channel, and then the offer is delivered.  The callback must
# not touch the freed channel (on the debug kernel KASAN reports a
# use-after-free where it does; vm-run fails the run on the report), and
# the NIC must come back whole when bound again.

source "$(dirname "$0")/hv_lib.sh"

hv_init

LATE_MS=${HV_LATE_MS:-25000}

hv_pair_checked
n=$(hv_add_nic "queues=2 subchan_late=1 subchan_late_ms=$LATE_MS") ||
	{ fail "add_nic with a late subchannel offer"; hv_finish; }
t0=$SECONDS
check "the NIC gets a netdev while its offer is held" \
	wait_for $((LATE_MS / 1000 + 20)) hv_has_dev "$n"
early=$(sim_stat "$n" offers_late)
info "netdev after $((SECONDS - t0)) s; offers delivered late so far: $early"
dev=$(sim_get "$n" device)
if [ "$early" != 0 ]; then
	# The driver waited for the offer: nothing can race
	skip "the late offer came while the driver still waited for it (the probe took $((SECONDS - t0)) s): no race to test"
else
	check "unbind the NIC before its offer arrives" \
		eval "echo $dev > /sys/bus/vmbus/drivers/hv_netvsc/unbind"
	check "the held offer is delivered after the unbind" \
		wait_for $((LATE_MS / 1000 + 10)) \
		eval '[ "$(sim_stat $n offers_late)" = 1 ]'
	sleep 1
	if [ "$HV_DRIVER" = ours ]; then
		check "the driver said it ignored the offer" \
			eval "dmesg | grep -q 'subchannel 1 offered after its channel closed'"
	fi
	check "bind the NIC again" \
		eval "echo $dev > /sys/bus/vmbus/drivers/hv_netvsc/bind"
fi
if check "the NIC has a netdev" wait_for 30 hv_has_dev "$n" &&
   check "and passes traffic" hv_plug "$n"; then
	check "ping a from it" ping_ok $NS_C $IP_A
fi
ip netns del $NS_C 2>/dev/null
sleep 0.2
echo 1 > "$SIM/nic$n/rescind"
wait_for 20 test ! -e "/sys/bus/vmbus/devices/$dev"

check "traffic between a and b after the late offer" ping_ok $NS_A $IP_B
hv_unpair
check "rmmod after the late offer" hv_unload
hv_finish
