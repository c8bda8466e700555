#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Transport headers past byte 1023, which the 10-bit transport offset of
# the checksum and LSOv2 per-packet info cannot hold: the driver must
# checksum and segment such frames itself, and the simulator (thoff_bad,
# a protocol violation) sees no request whose offset is not the frame's.
#
# tso, csum: TCP over IPv6 with a 1000-byte destination options header
# (hv_exthdr, a static helper the top Makefile builds) puts the TCP header
# at byte 1054; with TSO on, and with checksum offload alone, a file sent
# from a to b arrives with its SHA-256 intact and the frames on the wire
# did carry the header (bytes per frame).  Debian's 6.1 strips those
# offloads itself for a device with only NETIF_F_IPV6_CSUM (see below), so
# here these pass with or without the driver's own check; a kernel without
# that core check hands the frames to the driver.
#
# pkt-csum: a packet socket gets a checksum request at 1054 past the core,
# and fails without the driver's check (commit "transport offsets past
# 1023").
#
# UDP is not tried: the stack leaves no checksum to the device for a UDPv6
# datagram with extension headers (__ip6_append_data() only asks for
# CHECKSUM_PARTIAL when the header is a bare IPv6 one).

source "$(dirname "$0")/hv_lib.sh"

OPTLEN=1000
# Ethernet, IPv6, the options, a bare TCP header
THOFF=$((14 + 40 + OPTLEN))
XFER=$((1 << 20))

hv_init
hv_pair_checked

if ! command -v hv_exthdr >/dev/null; then
	skip "hv_exthdr is not in the guest (make modules builds it)"
	hv_unpair
	hv_finish
fi

# exthdr_xfer PORT: XFER random bytes from a to b over hv_exthdr, each
# frame from a carrying the destination options; the SHA-256 must match
exthdr_xfer() {
	local port=$1 want got pid
	dd if=/dev/urandom of=/tmp/xfer.in bs=1024 count=$((XFER / 1024)) 2>/dev/null
	want=$(sha256sum < /tmp/xfer.in | cut -d' ' -f1)
	rm -f /tmp/xfer.out
	inb timeout 30 hv_exthdr listen "$port" > /tmp/xfer.out &
	pid=$!
	wait_for 5 inb sh -c "netstat -ltn | grep -q ':$port '"
	ina timeout 20 hv_exthdr send "$IP6_B" "$port" $OPTLEN < /tmp/xfer.in ||
		info "hv_exthdr send: status $?"
	wait $pid
	got=$(sha256sum < /tmp/xfer.out | cut -d' ' -f1)
	[ "$want" = "$got" ] && return 0
	info "a -> b: $(stat -c %s /tmp/xfer.out) of $XFER bytes arrived, digest differs"
	return 1
}

# on_wire: nic0's frames since the last sim_snap held the options: beyond
# the payload, at least OPTLEN bytes each (a few neighbour discovery
# frames aside); without them each would add 74 or so
on_wire() {
	local p b
	p=$(sim_delta 0 tx_packets)
	b=$(sim_delta 0 tx_bytes)
	info "nic0: $p frames, $b bytes for $XFER bytes of payload"
	[ "$p" -gt 10 ] && [ $((b - XFER)) -ge $((OPTLEN * (p - 10))) ]
}

# offset_kept: the host saw no request with a wrong transport offset
offset_kept() {
	local d
	d=$(sim_delta 0 thoff_bad)
	[ "$d" = 0 ] && return 0
	info "nic0 thoff_bad +$d, last violation: $(sim_get 0 last_violation)"
	return 1
}

# one_case NAME PORT: a transfer, its frames and the host's verdict
one_case() {
	local name=$1 port=$2
	if hv_pending "$name"; then
		return
	fi
	sim_snap 0
	check "$name: TCP a -> b with the TCP header at $THOFF: 1 MiB arrives intact" \
		exthdr_xfer "$port"
	check "$name: every frame from a carried the $OPTLEN-byte options" on_wire
	check "$name: no checksum or LSO request with a wrong transport offset" \
		offset_kept
	info "$name: nic0 lso_packets +$(sim_delta 0 lso_packets), csum_computed +$(sim_delta 0 csum_computed)"
}

expect_eq "tcp-segmentation-offload on" on \
	"$(ns_feature $NS_A "$A" tcp-segmentation-offload)"
one_case tso 7711

ina ethtool -K "$A" tso off
expect_eq "ethtool -K tso off: tx-checksumming still on" on \
	"$(ns_feature $NS_A "$A" tx-checksumming)"
one_case csum 7712
ina ethtool -K "$A" tso on >/dev/null 2>&1

# The stack never hands the driver those frames with their offloads on:
# the core strips checksum and TSO offload from IPv6 frames with extension
# headers on a device with only NETIF_F_IPV6_CSUM (net/core/dev.c,
# skb_csum_hwoffload_help() and skb_gso_has_extension_hdr(), in Debian's
# 6.1 since the stable backports), before ndo_features_check.  It checks
# no checksum start of IPv4 frames, so a packet socket with a virtio-net
# header hands the driver a transport offset of PKT_OFF in an IPv4 TCP
# frame with a checksum request.  The driver must checksum it itself (at
# the offset the packet socket gave; the frame's own TCP header is at 34),
# never ask the host with an offset cut to 10 bits.  A GSO packet from a
# packet socket is SKB_GSO_DODGY, which without NETIF_F_GSO_ROBUST the
# stack segments before the driver: the LSO path cannot be reached so.
PKT_OFF=$THOFF

# pkt_reached N: the host took N frames from nic0, or refused one
pkt_reached() {
	[ "$(sim_delta 0 tx_packets)" -ge "$1" ] ||
		[ "$(sim_delta 0 thoff_bad)" -ge 1 ]
}

# pkt_case NAME MSS: a packet-socket frame with its checksum start at
# PKT_OFF; MSS 0 for a checksum request alone
pkt_case() {
	local name=$1 mss=$2 n=1
	if hv_pending "$name"; then
		return
	fi
	[ "$mss" -gt 0 ] && n=4
	sim_snap 0
	if ! ina hv_exthdr pkt "$A" $PKT_OFF "$mss"; then
		fail "$name: a packet socket sent a frame with its checksum start at $PKT_OFF"
		return
	fi
	ok "$name: a packet socket sent a frame with its checksum start at $PKT_OFF"
	check "$name: the host got it from nic0 ($n frames)" wait_for 5 pkt_reached $n
	check "$name: no checksum or LSO request with a wrong transport offset" \
		offset_kept
	info "$name: nic0 tx_packets +$(sim_delta 0 tx_packets), lso_packets +$(sim_delta 0 lso_packets), csum_computed +$(sim_delta 0 csum_computed)"
}

pkt_case pkt-csum 0

# The offloads still serve frames whose transport header is in reach
sim_snap 0
check "TCP a -> b without the options (1 MiB) arrives intact" \
	transfer_port_ok $NS_A $NS_B $IP6_B $XFER 7713
lso=$(sim_delta 0 lso_packets)
if [ "$lso" -ge 1 ]; then
	ok "plain IPv6 TCP still uses LSO (lso_packets +$lso)"
else
	fail "plain IPv6 TCP still uses LSO (lso_packets +$lso)"
fi

hv_unpair
check "rmmod" hv_unload
hv_finish
