#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VLAN: the driver offers VLAN tag insertion and stripping; an 802.1Q
# interface (VLAN 10) on each NIC passes pings and TCP, with the tag carried
# as per-packet info both ways (the simulator counts vlan_tx on the sender
# and vlan_rx on the receiver); frames tagged for one VLAN do not reach
# another, and untagged traffic still flows beside the VLAN.

source "$(dirname "$0")/hv_lib.sh"

hv_init

hv_pair_checked

expect_eq "ethtool -k: rx-vlan-offload on" on "$(ns_feature $NS_A "$A" rx-vlan-offload)"
expect_eq "ethtool -k: tx-vlan-offload on" on "$(ns_feature $NS_A "$A" tx-vlan-offload)"

modprobe 8021q
# answer ARP only on the interface that owns the address, so that a lost
# tag cannot be hidden by the parent answering for the VLAN's address
ina sysctl -qw net.ipv4.conf.all.arp_ignore=1
inb sysctl -qw net.ipv4.conf.all.arp_ignore=1

# IPv6 stays off on the VLANs: no router solicitations or MLD reports that
# would move the counters behind the test's back
vlan_add() {	# NS DEV ID ADDR
	ip netns exec "$1" ip link add link "$2" name "$2.$3" type vlan id "$3" &&
		ip netns exec "$1" sh -c "echo 1 > /proc/sys/net/ipv6/conf/$2.$3/disable_ipv6" &&
		ip netns exec "$1" ip addr add "$4/24" dev "$2.$3" &&
		ip netns exec "$1" ip link set "$2.$3" up
}
vlans_ok() {
	vlan_add $NS_A "$A" 10 10.10.0.1 && vlan_add $NS_B "$B" 10 10.10.0.2
}
check "VLAN 10 interfaces on both NICs" vlans_ok

sim_snap 0 1
check "VLAN 10: ping a -> b" wait_for 10 ping_ok $NS_A 10.10.0.2
check "VLAN 10: ping b -> a" ping_ok $NS_B 10.10.0.1
check "VLAN 10: pings a -> b at 0, 1000 and 1472 bytes" ping_sizes $NS_A 10.10.0.2 0 1000 1472
info "vlan_tx nic0 $(sim_delta 0 vlan_tx) nic1 $(sim_delta 1 vlan_tx), vlan_rx nic0 $(sim_delta 0 vlan_rx) nic1 $(sim_delta 1 vlan_rx)"
check "VLAN 10: the host saw a's tag as per-packet info (nic0 vlan_tx)" \
	test "$(sim_delta 0 vlan_tx)" -ge 9
check "VLAN 10: the host delivered the tag to b as per-packet info (nic1 vlan_rx)" \
	test "$(sim_delta 1 vlan_rx)" -ge 9
check "VLAN 10: b's replies carried the tag too (nic1 vlan_tx, nic0 vlan_rx)" \
	eval '[ $(sim_delta 1 vlan_tx) -ge 9 ] && [ $(sim_delta 0 vlan_rx) -ge 9 ]'

tcp_rate() {
	local r
	r=$(iperf_rate "$@")
	info "TCP over VLAN 10 $*: $r Mbit/s"
	[ "$r" -gt 0 ]
}
check "VLAN 10: TCP a -> b, 2 MB arrive intact" \
	transfer_port_ok $NS_A $NS_B 10.10.0.2 $((2 << 20)) 7001
check "VLAN 10: TCP b -> a with iperf3 (2 s), rate > 0" \
	tcp_rate $NS_A 10.10.0.1 $NS_B 5201 -t 2

# Untagged traffic beside it: no tag on those frames
sim_snap 0 1
check "untagged: ping a -> b on the parent" ping_ok $NS_A $IP_B
check "untagged: the host saw no tag on them (vlan_tx, vlan_rx unchanged)" \
	eval '[ $(sim_delta 0 vlan_tx) = 0 ] && [ $(sim_delta 1 vlan_rx) = 0 ]'

# Another VLAN ID must not reach VLAN 10's neighbour: VLAN 20 on a, 30 on b,
# one subnet
check "VLAN 20 on a and VLAN 30 on b" \
	eval 'vlan_add $NS_A "$A" 20 10.20.0.1 && vlan_add $NS_B "$B" 30 10.20.0.2'
check "VLAN 20 -> VLAN 30: no ping gets through" ping_fails $NS_A 10.20.0.2

# Removing the VLAN stops its traffic, the parent keeps working
inb ip link del "$B.10"
check "VLAN 10 removed on b: no ping a -> b on VLAN 10" ping_fails $NS_A 10.10.0.2
check "VLAN 10 removed on b: the parent still passes pings" ping_ok $NS_A $IP_B

hv_unpair
hv_finish
