#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Send completions on another channel.  With the simulator's
# cross_completions fault every second send completion arrives on the
# next open channel instead of the one the send went out on, so that the
# NAPI of each queue completes sends of the other.  Under traffic on every
# queue the transmit counters must stay consistent: the total that
# ip -s link shows only grows, equals the sum of the per-queue counts of
# ethtool -S once traffic stops, and equals what the host received (no
# update lost to two CPUs writing one counter).

source "$(dirname "$0")/hv_lib.sh"

hv_init

CC_PORT=5401

cc_total() { ina cat "/sys/class/net/$A/statistics/tx_packets"; }
cc_queue_sum() {
	ina ethtool -S "$A" | awk '$1 ~ /^tx_queue_[0-9]+_packets:$/ { s += $2 } END { print s + 0 }'
}
cc_other() {
	ina ethtool -S "$A" | awk '$1 ~ /^tx_queue_[0-9]+_comp_other:$/ { s += $2 } END { print s + 0 }'
}
cc_host() { sim_stat 0 tx_packets; }

# cc_settle: wait until the host has completed every send of a
cc_settle() {
	local last='' now t
	for t in $(seq 50); do
		now="$(cc_total) $(cc_host)"
		[ "$now" = "$last" ] && return 0
		last=$now
		sleep 0.2
	done
}

hv_pair_checked

hv_need_queues

# One frame per send, as the host counts them: no segmentation offload
ina ethtool -K "$A" tso off gso off >/dev/null 2>&1
echo 2 > "$SIM/nic0/faults/cross_completions"
cc_settle
t0=$(cc_total)
h0=$(cc_host)
x0=$(sim_stat 0 completions_crossed)
o0=$(cc_other)

inb timeout 60 iperf3 -s -1 -p $CC_PORT >/dev/null 2>&1 &
srv=$!
wait_for 5 inb sh -c "netstat -ltn | grep -q ':$CC_PORT '"
ina timeout 40 iperf3 -c $IP_B -p $CC_PORT -P 8 -t 8 -l 512 \
	--connect-timeout 5000 >/dev/null 2>&1 &
cli=$!
# Sample the total while the flows run: it never goes back
prev=$t0
back=0
samples=0
while kill -0 $cli 2>/dev/null; do
	now=$(cc_total)
	[ "$now" -ge "$prev" ] || { info "tx_packets went back: $prev then $now"; back=1; }
	prev=$now
	samples=$((samples + 1))
	sleep 0.1
done
wait $cli
kill $srv 2>/dev/null
wait $srv 2>/dev/null
ok_sent=$(( $(cc_total) - t0 ))
info "$samples samples of tx_packets during the flows; $ok_sent frames sent"
expect_eq "tx_packets never went back during the flows" 0 "$back"

echo 0 > "$SIM/nic0/faults/cross_completions"
# The three counts are read one after another: a frame of the stack's own
# (neighbour discovery) that goes out meanwhile would be in some and not
# others (seen on the slow KCSAN kernel), so they are read again until
# nothing moved while they were read
for _ in 1 2 3 4 5; do
	cc_settle
	t1=$(cc_total)
	h1=$(cc_host)
	qs=$(cc_queue_sum)
	[ "$(cc_total) $(cc_host)" = "$t1 $h1" ] && break
	info "a frame went out while the counts were read: again"
done
crossed=$(( $(sim_stat 0 completions_crossed) - x0 ))
info "host: $crossed completions sent on another channel"
if [ "$crossed" -ge 1000 ]; then
	ok "the host completed many sends on another channel ($crossed)"
else
	fail "the host completed many sends on another channel ($crossed)"
fi
expect_eq "ip -s link tx packets equal the sum of the per-queue counts" \
	"$t1" "$qs"
expect_eq "every frame the host received is counted sent, none lost" \
	$((h1 - h0)) $((t1 - t0))
if ! hv_pending comp-other; then
	other=$(( $(cc_other) - o0 ))
	expect_eq "ethtool -S counts the completions of other queues' sends" \
		"$crossed" "$other"
fi
check "traffic after the crossed completions" ping_ok $NS_A $IP_B

hv_unpair
hv_finish
