#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Transmit queue choice: the host sends a table of 16 entries (NVSP message
# SEND_INDIRECTION_TABLE) that maps a flow's hash to a channel; the driver
# sends each flow on the channel its entry names, so one flow stays on one
# queue and many flows spread, and a new table from the host moves new
# flows.  `ethtool -d` dumps the table (both drivers); the simulator's
# per-channel counters show where a's frames arrived, and its send_table
# file sends the guest a table of the test's choosing.

source "$(dirname "$0")/hv_lib.sh"

hv_init

# tq_sent: packets nic0 (a) sent on each of its first two channels
tq_sent() {
	echo "$(sim_chan_stat 0 0 tx_packets) $(sim_chan_stat 0 1 tx_packets)"
}

# tq_delta BEFORE AFTER: sets D0 and D1, the packets sent on each channel
tq_delta() {
	set -- $1 $2
	D0=$(( $3 - $1 ))
	D1=$(( $4 - $2 ))
	info "packets a sent per channel: 0: $D0, 1: $D1"
}

# tq_table: the send table `ethtool -d` dumps, as 16 numbers
tq_table() {
	ina ethtool -d "$A" raw on 2>/dev/null | od -An -tu4 -v |
		tr -s ' \n' ' ' | sed 's/^ //; s/ $//'
}

# tq_flows PORT: 16 TCP flows from a to b for 2 s; sets D0 and D1
tq_flows() {
	local before pid
	ina ping -c 1 -W 1 $IP_B >/dev/null
	inb timeout 30 iperf3 -s -1 -p "$1" >/dev/null 2>&1 &
	pid=$!
	wait_for 5 inb sh -c "netstat -ltn | grep -q ':$1 '"
	before=$(tq_sent)
	ina timeout 25 iperf3 -c $IP_B -p "$1" -P 16 -t 2 \
		--connect-timeout 5000 >/dev/null 2>&1 ||
		info "iperf3 with 16 flows failed"
	tq_delta "$before" "$(tq_sent)"
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
}

hv_pair || { fail "set up the pair of NICs"; hv_finish; }

queues=$(ina ethtool -l "$A" | awk '$1 == "Combined:" { v = $2 } END { print v }')
if [ "${queues:-0}" -lt 2 ]; then
	fail "at least 2 queues (have '$queues'; guest CPUs $(nproc))"
	hv_unpair
	hv_finish
fi
expect_eq "the simulator sees $queues open channels" "$queues" "$(sim_get 0 open_channels)"

# The simulator's table spreads the 16 entries over the open channels
want=$(awk -v n="$queues" 'BEGIN { for (i = 0; i < 16; i++) printf "%s%d", (i ? " " : ""), i % n }')
expect_eq "ethtool -d shows the host's send table" "$want" "$(tq_table)"

# One TCP flow from a to b: its frames leave on one channel
before=$(tq_sent)
check "one TCP flow a -> b: 4 MiB intact" \
	transfer_port_ok $NS_A $NS_B $IP_B $((4 << 20)) 7301
tq_delta "$before" "$(tq_sent)"
total=$(( D0 + D1 ))
big=$(( D0 > D1 ? D0 : D1 ))
if [ "$total" -ge 100 ] && [ $(( big * 100 )) -ge $(( total * 95 )) ]; then
	ok "one TCP flow stays on one queue (channel 0: $D0, channel 1: $D1)"
else
	fail "one TCP flow stays on one queue (channel 0: $D0, channel 1: $D1)"
fi

# 16 TCP flows from a to b: the table spreads them over both channels
tq_flows 5302
total=$(( D0 + D1 ))
if [ "$total" -ge 100 ] && [ $(( D0 * 10 )) -ge "$total" ] &&
   [ $(( D1 * 10 )) -ge "$total" ]; then
	ok "16 TCP flows spread over both channels (0: $D0, 1: $D1)"
else
	fail "16 TCP flows spread over both channels (0: $D0, 1: $D1)"
fi
check "traffic after the flows" ping_ok $NS_A $IP_B

# A new table from the host takes effect: every entry on channel 1, then
# 16 new flows all leave on channel 1
ones=$(awk 'BEGIN { for (i = 0; i < 16; i++) printf "%s1", (i ? " " : "") }')
if echo "$ones" > "$SIM/nic0/send_table"; then
	wait_for 5 eval '[ "$(tq_table)" = "$ones" ]'
	expect_eq "a new table from the host: ethtool -d shows it" "$ones" "$(tq_table)"
	tq_flows 5303
	if [ "$D1" -ge 100 ] && [ $(( D0 * 20 )) -le $(( D0 + D1 )) ]; then
		ok "table all on channel 1: 16 new TCP flows leave on channel 1 (0: $D0, 1: $D1)"
	else
		fail "table all on channel 1: 16 new TCP flows leave on channel 1 (0: $D0, 1: $D1)"
	fi
	echo "$want" > "$SIM/nic0/send_table"
	wait_for 5 eval '[ "$(tq_table)" = "$want" ]'
	expect_eq "the first table back: ethtool -d shows it" "$want" "$(tq_table)"
else
	fail "the simulator sends a new send table"
fi
check "traffic after the table changes" ping_ok $NS_A $IP_B

hv_unpair
hv_finish
