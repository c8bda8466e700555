#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Traffic: two synthetic NICs in two namespaces exchange IPv4 and IPv6
# pings both ways at every size from an empty payload up to a full frame
# (MTU - 28, MTU - 48 for IPv6) and beyond the MTU, where the stack must
# fragment (the simulator must see the fragments as separate frames); TCP
# runs both ways at a non-zero rate and a file crosses intact; UDP crosses
# with little loss, also in datagrams larger than the MTU.

source "$(dirname "$0")/hv_lib.sh"

hv_init

hv_pair_checked

mtu=$(ns_mtu $NS_A "$A")
expect_eq "default MTU" 1500 "$mtu"

V4_SIZES="0 1 56 1000 $((mtu - 28))"
V6_SIZES="0 1 56 1000 $((mtu - 48))"
BIG_SIZES="4000 9000"

check "IPv4 ping a -> b, sizes $V4_SIZES" ping_sizes $NS_A $IP_B $V4_SIZES
check "IPv4 ping b -> a, sizes $V4_SIZES" ping_sizes $NS_B $IP_A $V4_SIZES
PING=ping6 check "IPv6 ping a -> b, sizes $V6_SIZES" ping_sizes $NS_A $IP6_B $V6_SIZES
PING=ping6 check "IPv6 ping b -> a, sizes $V6_SIZES" ping_sizes $NS_B $IP6_A $V6_SIZES

# Beyond the MTU: the pings must come back, and the sender's NIC must have
# carried them as fragments (9000 bytes are 7 frames at MTU 1500).
frag_ok() {
	local ns=$1 dst=$2 nic=$3 min
	sim_snap "$nic"
	ping_sizes "$ns" "$dst" $BIG_SIZES || return 1
	# two pings of each size; 3 + 7 frames each at MTU 1500
	min=$(( 2 * (3 + 7) ))
	[ "$(sim_delta "$nic" tx_packets)" -ge $min ] && return 0
	info "nic$nic sent $(sim_delta "$nic" tx_packets) frames, want >= $min fragments"
	return 1
}
check "IPv4 ping a -> b beyond the MTU ($BIG_SIZES), fragmented" frag_ok $NS_A $IP_B 0
check "IPv4 ping b -> a beyond the MTU ($BIG_SIZES), fragmented" frag_ok $NS_B $IP_A 1
PING=ping6 check "IPv6 ping a -> b beyond the MTU ($BIG_SIZES), fragmented" frag_ok $NS_A $IP6_B 0
PING=ping6 check "IPv6 ping b -> a beyond the MTU ($BIG_SIZES), fragmented" frag_ok $NS_B $IP6_A 1

# The largest unfragmented frame is exactly MTU + 14 bytes on the wire.
check "IPv4: a $((mtu - 28))-byte ping travels as one $((mtu + 14))-byte frame" \
	one_frame_pings $NS_A $IP_B 0 $((mtu - 28))
PING=ping6 check "IPv6: a $((mtu - 48))-byte ping travels as one $((mtu + 14))-byte frame" \
	one_frame_pings $NS_B $IP6_A 1 $((mtu - 48))

# TCP
tcp_rate() {
	local r
	r=$(iperf_rate "$@")
	info "TCP $*: $r Mbit/s"
	[ "$r" -gt 0 ]
}
check "TCP a -> b with iperf3 (2 s), rate > 0" tcp_rate $NS_B $IP_B $NS_A 5201 -t 2
check "TCP b -> a with iperf3 (2 s), rate > 0" tcp_rate $NS_B $IP_B $NS_A 5202 -t 2 -R
check "TCP over IPv6 a -> b with iperf3 (1 s), rate > 0" tcp_rate $NS_B $IP6_B $NS_A 5203 -t 1
check "TCP a -> b: 4 MB arrive intact" transfer_port_ok $NS_A $NS_B $IP_B $((4 << 20)) 7001
check "TCP b -> a: 4 MB arrive intact" transfer_port_ok $NS_B $NS_A $IP_A $((4 << 20)) 7002

# UDP: a paced stream with small loss
udp_ok() {
	local j sent lost pct
	j=$(iperf_json "$@")
	sent=$(json_get "$j" sum packets)
	lost=$(json_get "$j" sum lost_packets)
	pct=$(json_get "$j" sum lost_percent)
	info "UDP: $sent datagrams, $lost lost ($pct%)"
	[ -n "$sent" ] && [ "$sent" != null ] && [ "$sent" -gt 0 ] &&
		awk -v p="$pct" 'BEGIN { exit !(p != "" && p + 0 <= 5) }'
}
check "UDP a -> b with iperf3 (10 Mbit/s, 2 s), loss <= 5%" \
	udp_ok $NS_B $IP_B $NS_A 5204 -u -b 10M -t 2
check "UDP b -> a with iperf3 (10 Mbit/s, 2 s), loss <= 5%" \
	udp_ok $NS_B $IP_B $NS_A 5205 -u -b 10M -t 2 -R

# Datagrams larger than the MTU cross as fragments
check "UDP a -> b with iperf3, 8000-byte datagrams (fragmented), loss <= 5%" \
	udp_ok $NS_B $IP_B $NS_A 5206 -u -b 10M -t 2 -l 8000

hv_unpair
hv_finish
