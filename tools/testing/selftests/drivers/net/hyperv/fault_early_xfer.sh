#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault early_xfer: the host sends a transfer-page packet (received data)
# right after the guest opens the channel, before the guest has given it a
# receive buffer.  Nothing can be read from a buffer that does not exist:
# the driver must survive it (no divide error, no oops), count it in
# ethtool -S (host_bad_early_xfer) and come up working.  Tried at probe and
# again at a reconfiguration that reopens the channel (an MTU change).

source "$(dirname "$0")/hv_lib.sh"

F=$SIM/nic0/faults

# The fault must be armed before the driver probes: load the host alone
if ! grep -q '^hv_vmbus_sim ' /proc/modules; then
	# shellcheck disable=SC2086
	modprobe hv_vmbus_sim ${HV_SIM_PARAMS:-} ||
		{ fail "load the simulator"; hv_finish; }
fi
sent=0
if ! hv_pending probe; then
	echo 1 > "$F/early_xfer"
	sent=1
fi
hv_init
if [ $sent = 1 ]; then
	expect_eq "probe: the host sent its early transfer, the count ran down" \
		"1 0" "$(sim_stat 0 early_xfers) $(cat "$F/early_xfer")"
fi

# ex_bad NS DEV: host_bad_early_xfer in ethtool -S (empty if none)
ex_bad() {
	ip netns exec "$1" ethtool -S "$2" 2>/dev/null |
		awk '$1 == "host_bad_early_xfer:" { print $2 }'
}

hv_pair_checked
check "probe: traffic both ways" eval 'ping_ok $NS_A $IP_B && ping_ok $NS_B $IP_A'
if [ $sent = 1 ] && ! hv_pending counted; then
	expect_eq "probe: the driver counted it (host_bad_early_xfer)" 1 \
		"$(ex_bad $NS_A "$A")"
fi

if ! hv_pending mtu; then
	echo 1 > "$F/early_xfer"
	sent=$((sent + 1))
	check "MTU change with the fault armed" ina ip link set "$A" mtu 4000
	wait_for 10 hv_carrier $NS_A "$A"
	expect_eq "reconfiguration: the host sent its early transfer" \
		"$sent 0" "$(sim_stat 0 early_xfers) $(cat "$F/early_xfer")"
	check "reconfiguration: traffic both ways" \
		eval 'wait_for 10 ina ping -c 1 -W 1 $IP_B >/dev/null && ping_ok $NS_A $IP_B && ping_ok $NS_B $IP_A'
	if ! hv_pending counted; then
		expect_eq "reconfiguration: the driver counted it (host_bad_early_xfer)" \
			"$sent" "$(ex_bad $NS_A "$A")"
	fi
fi

hv_unpair
check "rmmod after the fault" hv_unload
hv_finish
