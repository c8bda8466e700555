#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# MTU: the driver accepts the minimum (68) and the maximum it reports
# (maxmtu in `ip -d link`), rejects one below and one above with the MTU
# unchanged, and tells the host each new MTU (the simulator's ndis_mtu is
# MTU + 14); jumbo frames cross unfragmented at MTU 9000 and at the
# maximum, and traffic works again at 1500.

source "$(dirname "$0")/hv_lib.sh"

hv_init

hv_pair_checked
# IPv4 only: no neighbour discovery or MLD frames among the counted ones
ina sysctl -qw net.ipv6.conf.all.disable_ipv6=1
inb sysctl -qw net.ipv6.conf.all.disable_ipv6=1

MIN=$(ns_mtu_limit $NS_A "$A" min)
MAX=$(ns_mtu_limit $NS_A "$A" max)
info "$A: minmtu $MIN maxmtu $MAX"
expect_eq "minmtu is 68 (ETH_MIN_MTU)" 68 "$MIN"
if [ -n "$MAX" ] && [ "$MAX" -gt 1500 ] && [ "$MAX" -le 65521 ]; then
	ok "maxmtu $MAX is a jumbo MTU no larger than 65521"
else
	fail "maxmtu '$MAX' is a jumbo MTU no larger than 65521"
	MAX=1500
fi

# set_mtu NS DEV NIC MTU: accepted, read back, told to the host, carrier back
set_mtu() {
	local ns=$1 dev=$2 nic=$3 mtu=$4
	ip netns exec "$ns" ip link set dev "$dev" mtu "$mtu" ||
		{ info "$dev: mtu $mtu refused"; return 1; }
	[ "$(ns_mtu "$ns" "$dev")" = "$mtu" ] ||
		{ info "$dev: mtu reads $(ns_mtu "$ns" "$dev")"; return 1; }
	[ "$(sim_get "$nic" ndis_mtu)" = $((mtu + 14)) ] ||
		{ info "nic$nic: ndis_mtu $(sim_get "$nic" ndis_mtu), want $((mtu + 14))"; return 1; }
	wait_for 10 hv_carrier "$ns" "$dev" || { info "$dev: no carrier"; return 1; }
}

# refused NS DEV MTU: the change fails and the MTU stays as it was
refused() {
	local ns=$1 dev=$2 mtu=$3 before
	before=$(ns_mtu "$ns" "$dev")
	if ip netns exec "$ns" ip link set dev "$dev" mtu "$mtu" 2>/dev/null; then
		info "$dev: mtu $mtu accepted"
		return 1
	fi
	[ "$(ns_mtu "$ns" "$dev")" = "$before" ] ||
		{ info "$dev: mtu changed to $(ns_mtu "$ns" "$dev")"; return 1; }
}

# --- minimum
check "MTU 68 accepted, host told ndis_mtu 82" set_mtu $NS_A "$A" 0 68
check "MTU 67 refused, MTU unchanged" refused $NS_A "$A" 67
check "MTU 68 on b too: a 40-byte ping crosses" \
	eval 'set_mtu $NS_B "$B" 1 68 && ping_sizes $NS_A $IP_B 40'

# --- 9000 both sides
check "MTU 9000 on a: accepted, host told ndis_mtu 9014" set_mtu $NS_A "$A" 0 9000
check "MTU 9000 on b: accepted, host told ndis_mtu 9014" set_mtu $NS_B "$B" 1 9000
check "MTU 9000: an 8972-byte ping crosses as one 9014-byte frame" one_frame_pings $NS_A $IP_B 0 8972
check "MTU 9000: a 16000-byte ping crosses (fragments)" ping_sizes $NS_B $IP_A 16000

# --- maximum
check "MTU $MAX (maxmtu) on a: accepted, host told ndis_mtu $((MAX + 14))" \
	set_mtu $NS_A "$A" 0 "$MAX"
check "MTU $((MAX + 1)) refused, MTU unchanged" refused $NS_A "$A" $((MAX + 1))
check "MTU $MAX (maxmtu) on b: accepted" set_mtu $NS_B "$B" 1 "$MAX"
# IPv4 carries at most 65535 bytes: a 65507-byte payload
big=$((MAX - 28 > 65507 ? 65507 : MAX - 28))
check "MTU $MAX: a $big-byte ping crosses as one frame" one_frame_pings $NS_A $IP_B 0 $big
check "MTU $MAX: pings b -> a at 1000 and $big bytes" ping_sizes $NS_B $IP_A 1000 $big

# --- back to 1500
check "MTU 1500 on a again, host told ndis_mtu 1514" set_mtu $NS_A "$A" 0 1500
check "MTU 1500 on b again" set_mtu $NS_B "$B" 1 1500
check "MTU 1500: pings both ways at 56 and 1472 bytes" \
	eval 'ping_sizes $NS_A $IP_B 56 1472 && ping_sizes $NS_B $IP_A 56 1472'
check "MTU 1500: TCP a -> b, 1 MB arrive intact" \
	transfer_port_ok $NS_A $NS_B $IP_B $((1 << 20)) 7001

hv_unpair
hv_finish
