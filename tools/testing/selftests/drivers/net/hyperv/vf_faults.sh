#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SR-IOV races a host can make: the VF association late (a new session
# while the VF is up: the driver must not switch to a VF the host has not
# announced, the simulator calls that a violation), a SWITCH_DATA_PATH
# completion that comes late, an association for a VF that never shows up,
# and a completion that never comes (the driver must not hold RTNL for it).
#
# vm-run-vf: 2

source "$(dirname "$0")/hv_lib.sh"

hv_need_vfs 2
hv_init
hv_pair_checked

hv_vfs_up

# 1. A new session (an MTU change) whose association comes 3 s late
echo 3000 > "$SIM/nic0/faults/vf_assoc_delay_ms"
v0=$(sim_get 0 violations)
na0=$(hv_ethtool_stat $NS_A "$A" vf_no_assoc)
ina ip link set "$A" mtu 1400
check "the MTU change went through (the VF's MTU: $(ina cat /sys/class/net/"$VA"/mtu))" \
	test "$(ina cat /sys/class/net/"$VA"/mtu)" = 1400
# The simulator starts each session on the synthetic path.  The kernel's
# driver asks for the VF only when the VF's state changes, so after a new
# session its frames keep arriving on the synthetic channel (they still
# arrive); ours asks again once the host has announced the VF.
if [ "$HV_DRIVER" = ours ]; then
	wait_for 20 sim_path_is 0 vf
	check "the data path is back on the VF once the late association came" \
		sim_path_is 0 vf
else
	sleep 5
	info "after the new session the data path is $(sim_get 0 data_path) (the kernel's driver does not ask again)"
fi
check "and no switch to the VF came before it (violations: $(sim_get 0 violations), last: $(sim_get 0 last_violation))" \
	test "$(sim_get 0 violations)" = "$v0"
if [ "$HV_DRIVER" = ours ]; then
	check "vf_no_assoc counts the wait ($na0 -> $(hv_ethtool_stat $NS_A "$A" vf_no_assoc))" \
		test "$(hv_ethtool_stat $NS_A "$A" vf_no_assoc)" -gt "${na0:-0}"
fi
echo 0 > "$SIM/nic0/faults/vf_assoc_delay_ms"
check "pings a -> b come back" ping_ok $NS_A $IP_B
ina ip link set "$A" mtu 1500
# ours is back on the VF once the VF has its link again (an e1000e
# resets for a new MTU)
[ "$HV_DRIVER" = ours ] && wait_for 20 sim_path_is 0 vf

# 2. Switch completions half a second late (within the driver's wait)
echo 500 > "$SIM/nic0/faults/vf_switch_delay_ms"
d0=$(sim_stat 0 vf_switch_delayed)
ina ip link set "$VA" down
wait_for 10 sim_path_is 0 synthetic
check "a late completion: the VF down still takes the data path back" \
	sim_path_is 0 synthetic
ina ip link set "$VA" up
# ours asks for the VF once it has carrier, from linkwatch: the check
# waits for the late completion too
wait_for 20 eval 'sim_path_is 0 vf && [ $(($(sim_stat 0 vf_switch_delayed) - d0)) -ge 2 ]'
wait_for 20 hv_carrier $NS_A "$VA"
check "and the VF up brings it to the VF again ($(($(sim_stat 0 vf_switch_delayed) - d0)) completions were late)" \
	eval 'sim_path_is 0 vf && [ $(($(sim_stat 0 vf_switch_delayed) - d0)) -ge 2 ]'
echo 0 > "$SIM/nic0/faults/vf_switch_delay_ms"
sleep 2
check "pings a -> b come back" ping_ok $NS_A $IP_B

# 3. An association for a VF that never comes: the host names slot 77,
# which is empty.  The NIC works on the synthetic path and goes cleanly.
n=$(hv_add_nic "vf_serial=77")
if [ -z "$n" ] || ! wait_for 20 hv_has_dev "$n"; then
	fail "add_nic vf_serial=77 offers a NIC with a netdev"
else
	check "nic$n, its VF announced in slot 77 with no device there: up with carrier in c" \
		hv_plug "$n"
	check "nic$n: the host sent the association ($(sim_stat "$n" vf_assocs))" \
		test "$(sim_stat "$n" vf_assocs)" -ge 1
	check "nic$n: pings c <-> a come back, on the synthetic path ($(sim_get "$n" data_path))" \
		eval 'ping_ok $NS_C $IP_A && ping_ok $NS_A $IP_C && sim_path_is $n synthetic'
	echo 1 > "$SIM/nic$n/rescind"
	check "nic$n rescinded: its netdev goes" \
		wait_for 20 eval '! ip netns exec $NS_C ip link show "$C" > /dev/null 2>&1'
	ip netns del $NS_C 2>/dev/null
fi

# 4. A switch completion that never comes
if [ "$HV_DRIVER" = ref ]; then
	skip "the kernel's driver waits for the switch completion with no time limit, RTNL held (netvsc_switch_datapath)"
	hv_finish
fi
st0=$(hv_ethtool_stat $NS_A "$A" host_switch_timeout)
echo 1 > "$SIM/nic0/faults/vf_switch_drop"
t0=${EPOCHREALTIME/./}
ina ip link set "$VA" down
t1=${EPOCHREALTIME/./}
ms=$(((t1 - t0) / 1000))
check "a lost completion: ip link set down returns ($ms ms; the wait is 1 s at most)" \
	test "$ms" -lt 5000
check "the host counted the lost completion" \
	test "$(sim_stat 0 vf_switch_dropped)" = 1
st1=$(hv_ethtool_stat $NS_A "$A" host_switch_timeout)
check "the driver counted it (host_switch_timeout $st0 -> $st1)" \
	test "$((st1 - st0))" = 1
check "the data path is synthetic (the host had the request)" \
	sim_path_is 0 synthetic
check "RTNL is free: ip link answers" ina ip link show "$A"
check "pings a -> b come back over the synthetic path" ping_ok $NS_A $IP_B
ina ip link set "$VA" up
wait_for 20 sim_path_is 0 vf
check "the VF up takes the data path again" sim_path_is 0 vf

hv_finish
