#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Hot plug: a NIC the host adds at run time (add_nic) gets a netdev bound
# to hv_netvsc with the MAC the host chose, and passes traffic; a rescind
# removes the netdev cleanly, idle or while traffic runs on it, and leaves
# the other NICs working; the driver unloads cleanly afterwards and comes
# back for the NICs that remain.

source "$(dirname "$0")/hv_lib.sh"

hv_init

hp_no_dev() { [ ! -e "/sys/bus/vmbus/devices/$1" ]; }
hp_ns_gone() { ! ip netns exec "$1" ip link show "$2" >/dev/null 2>&1; }

# hp_tcp NS_SRC NS_DST DST_IP PORT: 256 KiB over TCP arrive intact
hp_tcp() { transfer_port_ok "$1" "$2" "$3" $((256 << 10)) "$4"; }

hv_pair || { fail "set up the pair of NICs"; hv_finish; }

# Hot add with a MAC of our choosing
mac=00:15:5d:a0:b1:c2
n=$(hv_add_nic "mac=$mac")
if [ -z "$n" ]; then
	fail "add_nic offers a new NIC"
	hv_unpair
	hv_finish
fi
ok "add_nic offers nic$n"
dev=$(sim_get "$n" device)
if wait_for 20 hv_has_dev "$n"; then
	ok "nic$n: a netdev appears ($(hv_dev "$n"))"
else
	fail "nic$n: a netdev appears"
fi
C=$(hv_dev "$n")
expect_eq "nic$n: the driver is hv_netvsc" hv_netvsc \
	"$(ethtool -i "$C" 2>/dev/null | awk '/^driver:/ { print $2 }')"
expect_eq "nic$n: the netdev has the MAC the host chose" "$mac" \
	"$(cat "/sys/class/net/$C/address" 2>/dev/null)"
check "nic$n: brought up with carrier in namespace c" hv_plug "$n"
check "nic$n: ping c <-> a" eval 'ping_ok $NS_C $IP_A && ping_ok $NS_A $IP_C'
check "nic$n: TCP c -> a and a -> c arrive intact" \
	eval 'hp_tcp $NS_C $NS_A $IP_A 7301 && hp_tcp $NS_A $NS_C $IP_C 7302'

# Rescind while idle
echo 1 > "$SIM/nic$n/rescind"
check "nic$n rescinded: the netdev goes away" wait_for 20 hp_ns_gone $NS_C "$C"
check "nic$n rescinded: the VMBus device goes away" wait_for 20 hp_no_dev "$dev"
check "nic$n rescinded: the simulator no longer offers it" \
	wait_for 10 test ! -d "$SIM/nic$n"
check "a <-> b still pass traffic" eval 'ping_ok $NS_A $IP_B && ping_ok $NS_B $IP_A'

# Hot add with the default MAC, then rescind under load
if hv_pending under_load; then
	:
elif n=$(hv_add_nic "") && [ -n "$n" ] && wait_for 20 hv_has_dev "$n"; then
	ok "second hot add: nic$n has a netdev"
	expect_eq "nic$n: the netdev has the simulator's MAC" "$(sim_get "$n" mac)" \
		"$(cat "/sys/class/net/$(hv_dev "$n")/address" 2>/dev/null)"
	dev=$(sim_get "$n" device)
	check "nic$n: brought up with carrier in namespace c" hv_plug "$n"
	# TCP and a UDP stream both ways, then the NIC goes while they run
	ip netns exec $NS_A timeout 30 iperf3 -s -1 -p 5311 >/dev/null 2>&1 &
	p1=$!
	ip netns exec $NS_C timeout 30 iperf3 -s -1 -p 5312 >/dev/null 2>&1 &
	p2=$!
	sleep 0.5
	ip netns exec $NS_C timeout 20 iperf3 -c $IP_A -p 5311 -t 10 >/dev/null 2>&1 &
	p3=$!
	ip netns exec $NS_A timeout 20 iperf3 -c $IP_C -p 5312 -u -b 20M -t 10 >/dev/null 2>&1 &
	p4=$!
	# a slow guest (the debug kernel) takes a while to start the streams:
	# wait for them, up to 20 s
	before=$(sim_stat "$n" tx_packets)
	wait_for 20 eval '[ $(( $(sim_stat "$n" tx_packets) - before )) -gt 100 ]'
	busy=$(( $(sim_stat "$n" tx_packets) - before ))
	[ "$busy" -gt 100 ] && ok "nic$n: traffic runs ($busy frames sent)" ||
		fail "nic$n: traffic runs ($busy frames sent in 20 s)"
	echo 1 > "$SIM/nic$n/rescind"
	check "rescind under traffic: the netdev goes away" wait_for 20 hp_ns_gone $NS_C "$C"
	check "rescind under traffic: the VMBus device goes away" wait_for 20 hp_no_dev "$dev"
	kill $p1 $p2 $p3 $p4 2>/dev/null
	wait $p1 $p2 $p3 $p4 2>/dev/null
	check "a <-> b still pass traffic, TCP intact" \
		eval 'ping_ok $NS_A $IP_B && ping_ok $NS_B $IP_A && hp_tcp $NS_A $NS_B $IP_B 7303'
else
	fail "second hot add: nic$n has a netdev"
fi
ip netns del $NS_C 2>/dev/null

# Unload and reload with the NICs that remain
hv_unpair
if hv_unload; then
	ok "rmmod hv_netvsc after the hot plugs"
else
	fail "rmmod hv_netvsc after the hot plugs"
fi
open=0
for m in $(sim_nics); do
	open=$(( open + $(sim_get "$m" open_channels) ))
done
expect_eq "no channel stays open after rmmod" 0 "$open"
check "modprobe again: every remaining NIC gets a netdev" hv_load
check "and passes traffic" eval 'hv_pair && ping_ok $NS_A $IP_B'
hv_unpair

hv_finish
