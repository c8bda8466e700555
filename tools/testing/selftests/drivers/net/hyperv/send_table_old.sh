#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Send indirection table from an NVSP 6.0 host.  Hosts of NVSP 6.0 and
# older put the 16 entries after the whole 40-byte NVSP message but give
# an offset that is too small; a guest must find the table where such a
# host really puts it, and steer its sends by it as with a newer host.
# The simulator behaves so when the negotiated version is 6.0 or older.

source "$(dirname "$0")/hv_lib.sh"

hv_init nvsp=0x60000

# st_sent: packets nic0 (a) sent on each of its first two channels
st_sent() {
	echo "$(sim_chan_stat 0 0 tx_packets) $(sim_chan_stat 0 1 tx_packets)"
}

# st_table: the send table `ethtool -d` dumps, as 16 numbers
st_table() {
	ina ethtool -d "$A" raw on 2>/dev/null | od -An -tu4 -v |
		tr -s ' \n' ' ' | sed 's/^ //; s/ $//'
}

# st_flows PORT: 16 TCP flows from a to b for 2 s; sets D0 and D1
st_flows() {
	local before pid
	ina ping -c 1 -W 1 $IP_B >/dev/null
	inb timeout 30 iperf3 -s -1 -p "$1" >/dev/null 2>&1 &
	pid=$!
	wait_for 5 inb sh -c "netstat -ltn | grep -q ':$1 '"
	before=$(st_sent)
	ina timeout 25 iperf3 -c $IP_B -p "$1" -P 16 -t 2 \
		--connect-timeout 5000 >/dev/null 2>&1 ||
		info "iperf3 with 16 flows failed"
	# shellcheck disable=SC2046 # two words each, split on purpose
	set -- $before $(st_sent)
	D0=$(( $3 - $1 ))
	D1=$(( $4 - $2 ))
	info "packets a sent per channel: 0: $D0, 1: $D1"
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
}

# st_bad: the driver's count of send tables it refused (ours only)
st_bad() {
	ina ethtool -S "$A" | awk '$1 == "host_bad_send_table:" { print $2 }'
}

hv_pair_checked
expect_eq "NVSP version negotiated" 0x60000 "$(sim_get 0 nvsp_version)"

queues=$(ina ethtool -l "$A" | awk '$1 == "Combined:" { v = $2 } END { print v }')
if [ "${queues:-0}" -lt 2 ]; then
	fail "at least 2 queues (have '$queues'; guest CPUs $(nproc))"
	hv_unpair
	hv_finish
fi

bad0=0
[ "$HV_DRIVER" = ours ] && bad0=$(st_bad)

# A table unlike the one the guest starts with (entry i = i % queues)
alt=$(awk -v n="$queues" 'BEGIN { for (i = 0; i < 16; i++) printf "%s%d", (i ? " " : ""), (n - 1 - i % n) }')
echo "$alt" > "$SIM/nic0/send_table"
wait_for 5 eval '[ "$(st_table)" = "$alt" ]'
expect_eq "a table from the 6.0 host: ethtool -d shows it" "$alt" "$(st_table)"

# Every entry on channel 1: 16 new flows all leave on channel 1
ones=$(awk 'BEGIN { for (i = 0; i < 16; i++) printf "%s1", (i ? " " : "") }')
echo "$ones" > "$SIM/nic0/send_table"
wait_for 5 eval '[ "$(st_table)" = "$ones" ]'
expect_eq "table all on channel 1: ethtool -d shows it" "$ones" "$(st_table)"
st_flows 5311
if [ "$D1" -ge 100 ] && [ $(( D0 * 20 )) -le $(( D0 + D1 )) ]; then
	ok "table all on channel 1: 16 TCP flows leave on channel 1 (0: $D0, 1: $D1)"
else
	fail "table all on channel 1: 16 TCP flows leave on channel 1 (0: $D0, 1: $D1)"
fi

# Every entry on channel 0: the flows move back
zeros=$(awk 'BEGIN { for (i = 0; i < 16; i++) printf "%s0", (i ? " " : "") }')
echo "$zeros" > "$SIM/nic0/send_table"
wait_for 5 eval '[ "$(st_table)" = "$zeros" ]'
st_flows 5312
if [ "$D0" -ge 100 ] && [ $(( D1 * 20 )) -le $(( D0 + D1 )) ]; then
	ok "table all on channel 0: 16 TCP flows leave on channel 0 (0: $D0, 1: $D1)"
else
	fail "table all on channel 0: 16 TCP flows leave on channel 0 (0: $D0, 1: $D1)"
fi

if ! hv_pending counted; then
	expect_eq "no send table counted as malformed" "$bad0" "$(st_bad)"
fi
check "traffic after the table changes" ping_ok $NS_A $IP_B

hv_unpair
hv_finish
