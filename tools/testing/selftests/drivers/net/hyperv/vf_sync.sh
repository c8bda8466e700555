#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SR-IOV: what a user sets on the synthetic NIC reaches its VF, and the
# next VF gets it too: the MTU and the offloads of ethtool -K, across a
# revoke and an offer.  A new session (-L, -G) keeps the VF; the NIC moved
# to another namespace takes its VF along (and the data path, once up); the driver unloaded and loaded
# again pairs the VFs that are already there.
#
# vm-run-vf: 2

source "$(dirname "$0")/hv_lib.sh"

hv_need_vfs 2
hv_init
hv_pair_checked

hv_vfs_up

# sy_vf_back: nic0's VF is in a again (its name may change) and the data
# path is on it
sy_vf_back() {
	wait_for 20 eval '[ -n "$(hv_vf_in $NS_A 0)" ]' || return 1
	VA=$(hv_vf_in $NS_A 0)
	wait_for 20 sim_path_is 0 vf
}

# sy_vf_cycle: Azure takes nic0's VF away and gives it back
sy_vf_cycle() {
	sim_set 0 vf_revoke 1 2>/dev/null
	wait_for 10 eval '[ -z "$(hv_vf_in $NS_A 0)" ]'
	sim_set 0 vf_offer 1 2>/dev/null
	sy_vf_back
}

# sy_va_feature NAME: on or off, as ethtool -k shows it on nic0's VF
sy_va_feature() { ns_feature $NS_A "$VA" "$1"; }

# Pairing takes nothing from the VF that ours lacks and gives it nothing
# it lacks: an e1000e checksums with HW_CSUM, where ours have IP_CSUM and
# IPV6_CSUM
g0=$(sy_va_feature tx-checksum-ip-generic)
i0=$(sy_va_feature tx-checksum-ipv4)
if [ "$HV_DRIVER" = ours ]; then
	check "$VA keeps its own transmit checksums (tx-checksum-ip-generic: $g0, tx-checksum-ipv4: $i0)" \
		test "$g0/$i0" = "on/off"
else
	info "paired by the kernel's driver, $VA has tx-checksum-ip-generic $g0, tx-checksum-ipv4 $i0"
fi

# 1. The MTU
check "ip link set $A mtu 1400" ina ip link set "$A" mtu 1400
check "$VA took MTU 1400 ($(ns_mtu $NS_A "$VA"))" test "$(ns_mtu $NS_A "$VA")" = 1400
wait_for 20 eval 'sim_path_is 0 vf'
wait_for 20 hv_carrier $NS_A "$A"
check "1372-byte pings come back" ping_ok $NS_A $IP_B -s 1372

# 2. The offloads: each switched on ours, and the VF's follows
for f in tcp-segmentation-offload generic-receive-offload rx-checksumming; do
	b0=$(sy_va_feature $f)
	case $f in
	tcp-segmentation-offload) k=tso ;;
	generic-receive-offload) k=gro ;;
	rx-checksumming) k=rx ;;
	esac
	ina ethtool -K "$A" $k off > /dev/null 2>&1
	check "ethtool -K $A $k off: $VA's $f is off too (it was $b0, now $(sy_va_feature $f))" \
		test "$(sy_va_feature $f)" = off
done
check "$A's tcp-segmentation-offload is off" \
	test "$(ns_feature $NS_A "$A" tcp-segmentation-offload)" = off
check "pings a -> b come back over the VF" hv_over_vf

# 3. A new VF gets them: a revoke and an offer
check "the host takes nic0's VF away and offers it again; it is $VA" sy_vf_cycle
check "the new VF took MTU 1400 ($(ns_mtu $NS_A "$VA"))" test "$(ns_mtu $NS_A "$VA")" = 1400
check "and TSO, GRO and receive checksums off ($(sy_va_feature tcp-segmentation-offload)/$(sy_va_feature generic-receive-offload)/$(sy_va_feature rx-checksumming))" \
	eval '[ "$(sy_va_feature tcp-segmentation-offload)$(sy_va_feature generic-receive-offload)$(sy_va_feature rx-checksumming)" = offoffoff ]'
check "pings a -> b come back over the new VF" hv_over_vf

# and back on
ina ethtool -K "$A" tso on gro on rx on > /dev/null 2>&1
check "ethtool -K $A tso on gro on rx on: the VF's are on again ($(sy_va_feature tcp-segmentation-offload)/$(sy_va_feature generic-receive-offload)/$(sy_va_feature rx-checksumming))" \
	eval '[ "$(sy_va_feature tcp-segmentation-offload)$(sy_va_feature generic-receive-offload)$(sy_va_feature rx-checksumming)" = ononon ]'
check "ip link set $A mtu 1500" ina ip link set "$A" mtu 1500
check "$VA took MTU 1500 ($(ns_mtu $NS_A "$VA"))" test "$(ns_mtu $NS_A "$VA")" = 1500

# 4. New sessions with the VF enslaved: -L and -G
max=$(ina ethtool -l "$A" | awk '/^Combined:/ { print $2; exit }')
cur=$(ina ethtool -l "$A" | awk '/^Combined:/ { v = $2 } END { print v }')
for op in "-L $A combined $((cur > 1 ? 1 : (max > 1 ? 2 : 1)))" \
	  "-G $A rx 512"; do
	# shellcheck disable=SC2086 # the words of the command
	check "ethtool $op with the VF enslaved" ina ethtool $op
	wait_for 20 hv_carrier $NS_A "$A"
	check "$VA is still $A's lower device" \
		ina test -e "/sys/class/net/$A/lower_$VA"
	check "pings a -> b come back" ping_ok $NS_A $IP_B
	# The kernel's driver asks for the VF only when the VF's state
	# changes, and the simulator starts each session synthetic
	if [ "$HV_DRIVER" = ours ]; then
		wait_for 20 sim_path_is 0 vf
		check "the data path is on the VF again after the new session" \
			hv_over_vf
	else
		info "after ethtool $op the data path is $(sim_get 0 data_path)"
	fi
done
# shellcheck disable=SC2086
ina ethtool -L "$A" combined $cur
ina ip link set "$VA" down
ina ip link set "$VA" up
wait_for 20 sim_path_is 0 vf

# 5. The NIC moves to another namespace: its VF follows
NS_C=hv-c
ip netns add $NS_C
check "ip link set $A netns $NS_C" ina ip link set "$A" netns $NS_C
# A move takes the device down (and its addresses away): up again there
ip netns exec $NS_C ip link set "$A" up
wait_for 20 eval '[ -n "$(hv_vf_in $NS_C 0)" ]'
VC=$(hv_vf_in $NS_C 0)
check "nic0's VF followed it into $NS_C (${VC:-not there})" test -n "$VC"
if [ -n "$VC" ]; then
	check "$VC is $A's lower device there" \
		ip netns exec $NS_C test -e "/sys/class/net/$A/lower_$VC"
	wait_for 20 sim_path_is 0 vf
	check "nic0's data path is the VF" sim_path_is 0 vf
fi
# and back, where the test's addresses are
ip netns exec $NS_C ip link set "$A" netns $NS_A
ina ip link set "$A" up
wait_for 20 eval '[ -n "$(hv_vf_in $NS_A 0)" ]'
VA=$(hv_vf_in $NS_A 0)
check "and back into a with $A (${VA:-not there})" test -n "$VA"
ip netns del $NS_C

# 6. Unload and load with the VFs there: they pair at probe
hv_unpair
check "rmmod with the VFs enslaved" hv_unload
check "the VFs stay, free (nic0's: $(hv_vf_in "" 0))" \
	eval '[ -n "$(hv_vf_in "" 0)" ] && [ -n "$(hv_vf_in "" 1)" ] &&
	      [ ! -e "/sys/class/net/$(hv_vf_in "" 0)/master" ]'
check "modprobe hv_netvsc again" hv_load
wait_for 20 eval '[ -e "/sys/class/net/$(hv_vf_in "" 0)/master" ]'
v0=$(hv_vf_in "" 0)
check "the new nic0 took its VF at probe ($v0's master: $(basename "$(readlink "/sys/class/net/$v0/master")"))" \
	test "$(basename "$(readlink "/sys/class/net/$v0/master")")" = "$(hv_dev 0)"
hv_pair_checked
wait_for 20 eval '[ -n "$(hv_vf_in $NS_A 0)" ]'
VA=$(hv_vf_in $NS_A 0)
check "pings a -> b come back over the VF" hv_over_vf

hv_finish
