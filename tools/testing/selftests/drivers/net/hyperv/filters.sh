#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Filters: the netdev's receive flags reach the host's packet filter
# (promiscuous on sets RNDIS 0x20, off restores directed reception;
# all-multicast sets 0x4), a multicast ping to 224.0.0.1 gets its reply
# through the host's filter, and a MAC address change reaches the host:
# frames for the new address are delivered to the guest (the vSwitch
# forwards by the MAC the guest set) and traffic follows it, and back.

source "$(dirname "$0")/hv_lib.sh"

hv_init

hv_pair_checked

filter() { echo $(( $(sim_get 0 filter) )); }
has() { [ $(( $(filter) & $1 )) != 0 ]; }
hasnt() { [ $(( $(filter) & $1 )) = 0 ]; }

F_DIRECTED=0x1 F_ALLMULTI=0x4 F_BROADCAST=0x8 F_PROMISC=0x20

f0=$(sim_get 0 filter)
info "initial filter $f0"
check "up: filter has directed (0x1) and broadcast (0x8)" \
	eval 'has $F_DIRECTED && has $F_BROADCAST'
check "up: filter is not promiscuous" hasnt $F_PROMISC

# --- promiscuous
ina ip link set dev "$A" promisc on
check "promisc on: filter has 0x20" wait_for 5 has $F_PROMISC
ina ip link set dev "$A" promisc off
check "promisc off: 0x20 cleared" wait_for 5 hasnt $F_PROMISC
check "promisc off: directed and broadcast again" \
	eval 'has $F_DIRECTED && has $F_BROADCAST'
check "promisc off: ping a -> b" ping_ok $NS_A $IP_B

# --- all-multicast and a multicast ping
ina ip link set dev "$A" allmulticast on
check "allmulticast on: filter has 0x4" wait_for 5 has $F_ALLMULTI
ina ip link set dev "$A" allmulticast off
check "allmulticast off: filter still directed, not promiscuous" \
	eval 'has $F_DIRECTED && hasnt $F_PROMISC'
info "filter after allmulticast off $(sim_get 0 filter) (the reference keeps 0x4 while any group is joined)"

mcast_ok() {
	local out
	out=$(ina ping -c 3 -i 0.3 -W 2 -I "$A" 224.0.0.1 2>&1)
	echo "$out" | grep -q "bytes from $IP_B" && return 0
	echo "$out" | sed 's/^/# /'
	return 1
}
inb sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0
ina ip route add 224.0.0.0/4 dev "$A" 2>/dev/null
sim_snap 1
check "multicast ping a -> 224.0.0.1: b replies" mcast_ok
check "multicast ping: b's NIC received the frames (no filter drop)" \
	eval '[ $(sim_delta 1 rx_packets) -ge 3 ] && [ $(sim_delta 1 rx_drop_filter) = 0 ]'
# and b's filter took multicast (b is not promiscuous)
check "b's filter takes multicast (0x2 or 0x4), not promiscuous" \
	eval '[ $(( $(sim_get 1 filter) & 0x6 )) != 0 ] && [ $(( $(sim_get 1 filter) & 0x20 )) = 0 ]'

# --- MAC address
MAC0=$(ns_cat $NS_A "$A" address)
NEW=00:15:5d:aa:bb:cc
if ina ip link set dev "$A" address $NEW 2>/dev/null; then
	info "the MAC changed while up"
	expect_eq "MAC change while up: applied" $NEW "$(ns_cat $NS_A "$A" address)"
else
	expect_eq "MAC change while up refused (EBUSY): MAC unchanged" "$MAC0" \
		"$(ns_cat $NS_A "$A" address)"
	ina ip link set dev "$A" down
	check "MAC change while down: accepted" ina ip link set dev "$A" address $NEW
	ina ip link set dev "$A" up
	wait_for 10 hv_carrier $NS_A "$A"
fi
expect_eq "ip link shows the new MAC" $NEW \
	"$(ina ip link show dev "$A" | awk '/link\/ether/ { print $2 }')"

# b must learn a's new address
neigh_of_a() { inb ip neigh show $IP_A dev "$B" | awk '{ for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1) }'; }
inb ip neigh flush dev "$B"
ina ip neigh flush dev "$A"
sim_snap 0
check "new MAC: ping b -> a" wait_for 10 ping_ok $NS_B $IP_A
expect_eq "new MAC: b's neighbour entry for a" $NEW "$(neigh_of_a)"
check "new MAC: frames for it reached a (nic0 rx_packets grew)" \
	test "$(sim_delta 0 rx_packets)" -ge 3
check "new MAC: TCP b -> a, 1 MB arrive intact" \
	transfer_port_ok $NS_B $NS_A $IP_A $((1 << 20)) 7001

# The host must keep the new MAC when the channel is reopened (an MTU
# change starts a new RNDIS session, which begins with the permanent one)
if ! hv_pending mac-kept; then
	ina ip link set dev "$A" mtu 1400
	wait_for 10 hv_carrier $NS_A "$A"
	check "new MAC after an MTU change: ping b -> a" wait_for 10 ping_ok $NS_B $IP_A
	ina ip link set dev "$A" mtu 1500
	wait_for 10 hv_carrier $NS_A "$A"
	check "new MAC after the MTU is back: ping b -> a" wait_for 10 ping_ok $NS_B $IP_A
fi

# --- restore
ina ip link set dev "$A" down
check "restore the permanent MAC" ina ip link set dev "$A" address "$MAC0"
ina ip link set dev "$A" up
wait_for 10 hv_carrier $NS_A "$A"
inb ip neigh flush dev "$B"
check "permanent MAC again: ping b -> a" wait_for 10 ping_ok $NS_B $IP_A
expect_eq "permanent MAC again: b's neighbour entry for a" "$MAC0" "$(neigh_of_a)"

hv_unpair
hv_finish
