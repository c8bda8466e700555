#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Offloads: the driver advertises receive and transmit checksumming, TSO
# and scatter-gather; with them on, TCP traffic reaches the host as LSOv2
# packets that the host cuts into segments (IPv4 and IPv6), with the
# checksums left to the host; `ethtool -K tso off tx off` moves that work
# back into the guest (no LSO packets, no checksum requests, the host now
# verifies the guest's own checksums) while the payload still arrives
# intact; turned back on, the host does the work again.

source "$(dirname "$0")/hv_lib.sh"

hv_init

hv_pair_checked

for f in rx-checksumming tx-checksumming tcp-segmentation-offload scatter-gather; do
	expect_eq "ethtool -k: $f on" on "$(ns_feature $NS_A "$A" $f)"
done

# The guest asked the host for these (NDIS: 2 LSOv2 on, 4 checksum tx+rx)
params_ok() {
	local p k
	p=$(sim_get 0 offload_params)
	for k in tcp4=4 udp4=4 tcp6=4 udp6=4 lsov2_4=2 lsov2_6=2; do
		case " $p " in *" $k "*) ;; *) info "offload_params: $p"; return 1 ;; esac
	done
}
check "the host was asked for checksum (tx+rx) and LSOv2 offloads, v4 and v6" params_ok

XFER=$((4 << 20))

# grew NIC NAME: the counter moved since the last sim_snap
grew() {
	local d
	d=$(sim_delta "$1" "$2")
	[ "$d" -gt 0 ] && return 0
	info "nic$1 $2 did not grow"
	return 1
}

# still NIC NAME: the counter did not move since the last sim_snap
still() {
	local d
	d=$(sim_delta "$1" "$2")
	[ "$d" = 0 ] && return 0
	info "nic$1 $2 grew by $d"
	return 1
}

lso_ok() {
	local p s
	grew 0 lso_packets || return 1
	p=$(sim_delta 0 lso_packets)
	s=$(sim_delta 0 lso_segments)
	info "nic0: $p LSO packets cut into $s segments"
	# each LSO packet is larger than the MSS, so at least two segments
	[ "$s" -ge $((2 * p)) ]
}

# --- offloads on: the host segments and checksums
sim_snap 0 1
check "TCP a -> b, offloads on: 4 MB arrive intact" \
	transfer_port_ok $NS_A $NS_B $IP_B $XFER 7001
check "offloads on: the host cut LSOv2 packets into segments" lso_ok
check "offloads on: the host filled in checksums for the guest" grew 0 csum_computed

sim_snap 0
r=$(iperf_rate $NS_B $IP6_B $NS_A 5201 -t 1)
info "TCP over IPv6: $r Mbit/s"
check "offloads on, IPv6: the host cut LSOv2 packets into segments" lso_ok

# --- offloads off: the guest does the work, the host checks it.  The host
# verifies (csum_verified) only checksums the guest computed itself: with
# the offloads on it wrote them and knows them good, so the receiver's
# csum_verified is the proof for this phase.
ina ethtool -K "$A" tso off tx off
expect_eq "ethtool -K tso off tx off: tcp-segmentation-offload off" off \
	"$(ns_feature $NS_A "$A" tcp-segmentation-offload)"
expect_eq "ethtool -K tso off tx off: tx-checksumming off" off \
	"$(ns_feature $NS_A "$A" tx-checksumming)"

sim_snap 0 1
check "TCP a -> b, offloads off: 4 MB arrive intact" \
	transfer_port_ok $NS_A $NS_B $IP_B $XFER 7002
r=$(iperf_rate $NS_B $IP6_B $NS_A 5202 -t 1)
info "TCP over IPv6: $r Mbit/s"
check "offloads off: traffic flowed (nic0 tx_packets grew)" grew 0 tx_packets
check "offloads off: no LSOv2 packets reached the host" still 0 lso_packets
check "offloads off: no checksum requests reached the host" still 0 csum_computed
check "offloads off: the host verified the guest's checksums for b" grew 1 csum_verified

# GSO off too: the stack segments before the driver, still intact
ina ethtool -K "$A" gso off
sim_snap 0
check "TCP a -> b, offloads and GSO off: 4 MB arrive intact" \
	transfer_port_ok $NS_A $NS_B $IP_B $XFER 7003
check "offloads and GSO off: no LSOv2 packets reached the host" still 0 lso_packets

# --- back on
ina ethtool -K "$A" tso on tx on gso on
expect_eq "ethtool -K tso on tx on: tcp-segmentation-offload on" on \
	"$(ns_feature $NS_A "$A" tcp-segmentation-offload)"
sim_snap 0 1
check "TCP a -> b, offloads back on: 4 MB arrive intact" \
	transfer_port_ok $NS_A $NS_B $IP_B $XFER 7004
check "offloads back on: the host cut LSOv2 packets into segments" lso_ok
check "offloads back on: the host filled in checksums for the guest" grew 0 csum_computed

hv_unpair
hv_finish
