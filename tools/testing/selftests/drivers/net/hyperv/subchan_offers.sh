#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Subchannel offers with a gap or a repeat in their numbering.  The
# simulator's subchan_skip fault grants every subchannel asked for but
# never offers one index; subchan_dup offers one index twice.  A NIC
# hot-added with either fault (the probe asks for one queue per CPU, so
# this needs 4 CPUs: vm-run --smp 4) must end with a consistent queue
# count: the channels the host sees open are the queues `ethtool -l`
# shows, every one of them passes traffic both ways, and a repeated offer
# neither costs a queue nor ends the wait for the others early.
#
# vm-run-smp: 4

source "$(dirname "$0")/hv_lib.sh"

hv_init

SO_PORT=5501

# so_flows NS_SRV IP NS_CLI: 16 TCP flows for 2 s
so_flows() {
	local pid
	ip netns exec "$1" timeout 30 iperf3 -s -1 -p $SO_PORT >/dev/null 2>&1 &
	pid=$!
	wait_for 5 ip netns exec "$1" sh -c "netstat -ltn | grep -q ':$SO_PORT '"
	ip netns exec "$3" timeout 25 iperf3 -c "$2" -p $SO_PORT -P 16 -t 2 \
		--connect-timeout 5000 >/dev/null 2>&1
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
}

# so_case OPTIONS WANT: a NIC offered with OPTIONS ends with WANT queues
so_case() {
	local opts=$1 want=$2 n comb open q tx rx idle='' v
	n=$(hv_add_nic "$opts") || { fail "$opts: add_nic"; return; }
	if ! wait_for 30 hv_has_dev "$n" || ! hv_plug "$n"; then
		fail "$opts: a netdev with carrier that reaches a"
		ip netns del $NS_C 2>/dev/null
		echo 1 > "$SIM/nic$n/rescind"
		return
	fi
	comb=$(ip netns exec $NS_C ethtool -l "$C" | awk '$1 == "Combined:" { v = $2 } END { print v }')
	open=$(sim_get "$n" open_channels)
	expect_eq "$opts: channels open at the host = queues ethtool -l shows" \
		"$comb" "$open"
	expect_eq "$opts: queues in use" "$want" "$comb"
	declare -A tx0 rx0
	for q in $(seq 0 $((comb - 1))); do
		tx0[$q]=$(sim_chan_stat "$n" "$q" tx_packets 2>/dev/null)
		rx0[$q]=$(sim_chan_stat "$n" "$q" rx_packets 2>/dev/null)
	done
	so_flows $NS_A $IP_A $NS_C
	so_flows $NS_C $IP_C $NS_A
	for q in $(seq 0 $((comb - 1))); do
		tx=$(sim_chan_stat "$n" "$q" tx_packets 2>/dev/null)
		rx=$(sim_chan_stat "$n" "$q" rx_packets 2>/dev/null)
		tx=$(( ${tx:-0} - ${tx0[$q]:-0} ))
		rx=$(( ${rx:-0} - ${rx0[$q]:-0} ))
		info "$opts: queue $q: sent $tx, received $rx"
		[ "$tx" -gt 0 ] && [ "$rx" -gt 0 ] || idle+=" $q"
	done
	expect_eq "$opts: every open queue sends and receives" "" "$idle"
	check "$opts: ping after the flows" ping_ok $NS_C $IP_A
	v=$(sim_get "$n" violations)
	[ "$v" = 0 ] || info "nic$n: last violation: $(sim_get "$n" last_violation)"
	expect_eq "$opts: no protocol violations" 0 "$v"
	ip netns del $NS_C 2>/dev/null
	sleep 0.2
	echo 1 > "$SIM/nic$n/rescind"
	wait_for 20 test ! -e "/sys/bus/vmbus/devices/$(sim_get "$n" device 2>/dev/null)"
}

hv_pair_checked
if [ "$(nproc)" -lt 4 ]; then
	skip "a probe asks for one queue per CPU: needs 4 CPUs (vm-run --smp 4), have $(nproc)"
	hv_unpair
	hv_finish
fi

# Queues 0 and 1 are usable when index 2 never comes
if ! hv_pending skip; then
	so_case "queues=4 subchan_skip=2" 2
fi
# A repeated offer: the others still open, all 4 queues
if ! hv_pending dup; then
	so_case "queues=4 subchan_dup=1" 4
	so_case "queues=4 subchan_dup=3" 4
fi

check "traffic between a and b after the offers" ping_ok $NS_A $IP_B
hv_unpair
check "rmmod after the offers" hv_unload
hv_finish
