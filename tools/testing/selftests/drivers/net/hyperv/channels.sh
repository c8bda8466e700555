#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Channels: `ethtool -l` reports as many combined channels as the host
# offers queues, capped by the guest's CPUs; `ethtool -L combined n` works
# for every n from 1 to that maximum: -l reads n back, the simulator sees n
# channels open (primary included) and traffic crosses after each change;
# counts out of range (0, maximum + 1) are refused and change nothing.
# Packet totals never go down and `ethtool -S` keeps the same names across
# the changes.

source "$(dirname "$0")/hv_lib.sh"

SIM_QUEUES=4
hv_init queues=$SIM_QUEUES

# ch_combined NS DEV max|cur: the combined count `ethtool -l` reports
ch_combined() {
	ip netns exec "$1" ethtool -l "$2" 2>/dev/null | awk -v w="$3" '
		/^Pre-set maximums/ { s = "max" }
		/^Current hardware/ { s = "cur" }
		s == w && $1 == "Combined:" { print $2; exit }'
}

# ch_tcp NS_SRC NS_DST DST_IP PORT: 256 KiB over TCP arrive intact
ch_tcp() { transfer_port_ok "$1" "$2" "$3" $((256 << 10)) "$4"; }

ch_open_is() { [ "$(sim_get "$1" open_channels)" = "$2" ]; }

# ch_traffic: both NICs up, ping both ways (IPv4 and IPv6) and TCP each way
ch_traffic() {
	wait_for 10 hv_carrier $NS_A "$A" && wait_for 10 hv_carrier $NS_B "$B" ||
		{ info "no carrier"; return 1; }
	# The first ping may race neighbour discovery after a reopen
	wait_for 10 ina ping -c 1 -W 1 $IP_B >/dev/null
	ping_ok $NS_A $IP_B || { info "ping a -> b failed"; return 1; }
	ping_ok $NS_B $IP_A || { info "ping b -> a failed"; return 1; }
	wait_for 10 ina ping6 -c 1 -W 1 $IP6_B >/dev/null
	ip netns exec $NS_A ping6 -q -c 3 -i 0.2 -W 2 $IP6_B 2>&1 |
		grep -q ' 0% packet loss' || { info "ping6 a -> b failed"; return 1; }
	ch_tcp $NS_A $NS_B $IP_B 7101 || return 1
	ch_tcp $NS_B $NS_A $IP_A 7102 || return 1
}

hv_pair || { fail "set up the pair of NICs"; hv_finish; }

cpus=$(nproc)
want_max=$(( SIM_QUEUES < cpus ? SIM_QUEUES : cpus ))
info "simulator queues $SIM_QUEUES, guest CPUs $cpus"
max=$(ch_combined $NS_A "$A" max)
expect_eq "ethtool -l: maximum combined = min(queues $SIM_QUEUES, CPUs $cpus)" \
	"$want_max" "$max"
expect_eq "ethtool -l: current combined is the maximum at probe" \
	"$want_max" "$(ch_combined $NS_A "$A" cur)"
expect_eq "the simulator sees the maximum open at probe" \
	"$want_max" "$(sim_get 0 open_channels)"
[ -n "$max" ] && [ "$max" -ge 1 ] 2>/dev/null || max=1

# ch_stat_names: the names `ethtool -S` shows for a's device, one line
ch_stat_names() {
	ina ethtool -S "$A" 2>/dev/null | awk -F: 'NR > 1 { gsub(/ /, "", $1); printf "%s ", $1 }'
}

# ch_counters: a's rx_packets and tx_packets (ip -s link totals)
ch_counters() {
	echo "$(ns_cat $NS_A "$A" statistics/rx_packets) $(ns_cat $NS_A "$A" statistics/tx_packets)"
}

names0=$(ch_stat_names)
went_down=

# Every count from the maximum down to 1 and back up to the maximum, on
# both NICs, so that each count is entered from above and from below.
counts=$(seq "$max" -1 1; seq 2 "$max")
for n in $counts; do
	before=$(ch_counters)
	rc=0
	ip netns exec $NS_A ethtool -L "$A" combined "$n" || rc=1
	ip netns exec $NS_B ethtool -L "$B" combined "$n" || rc=1
	expect_eq "ethtool -L combined $n accepted" 0 "$rc"
	set -- $before $(ch_counters)
	[ "$3" -ge "$1" ] && [ "$4" -ge "$2" ] ||
		went_down+=" combined $n: rx $1 -> $3, tx $2 -> $4;"
	[ "$(ch_stat_names)" = "$names0" ] || stat_names_changed+=" $n"
	got="$(ch_combined $NS_A "$A" cur)/$(ch_combined $NS_B "$B" cur)"
	expect_eq "combined $n: ethtool -l reads it back on both NICs" "$n/$n" "$got"
	wait_for 10 ch_open_is 0 "$n"
	got="$(sim_get 0 open_channels)/$(sim_get 1 open_channels)"
	expect_eq "combined $n: the simulator sees $n open channels on both NICs" \
		"$n/$n" "$got"
	if [ "$n" -ge 2 ]; then
		expect_eq "combined $n: the host's RSS table spreads over queues 0..$((n - 1))" \
			"$(seq 0 $((n - 1)) | tr '\n' ' ')" \
			"$(tr ' ' '\n' < "$SIM/nic0/rss_table" | sort -nu | tr '\n' ' ')"
	fi
	check "combined $n: ping (IPv4, IPv6) both ways and TCP each way" ch_traffic
done

if ! hv_pending counters-kept; then
	[ -z "$went_down" ] && ok "rx and tx packet totals never went down across the channel changes" ||
		fail "rx and tx packet totals never went down across the channel changes:$went_down"
fi
if ! hv_pending stats-names; then
	expect_eq "ethtool -S: the same counter names across every channel count" \
		"" "${stat_names_changed:-}"
fi

# Out of range: refused, nothing changes
cur=$(ch_combined $NS_A "$A" cur)
open=$(sim_get 0 open_channels)
for n in 0 $((max + 1)); do
	if ip netns exec $NS_A ethtool -L "$A" combined "$n" 2>/dev/null; then
		fail "ethtool -L combined $n (out of range) refused"
	else
		ok "ethtool -L combined $n (out of range) refused"
	fi
	expect_eq "combined $n refused: the count stays $cur" \
		"$cur/$open" "$(ch_combined $NS_A "$A" cur)/$(sim_get 0 open_channels)"
done
check "traffic after the refused changes" ch_traffic

# The host's queue count caps the maximum too: a NIC offering one queue
before=$(sim_nics | tail -n1)
echo "queues=1" > "$SIM/add_nic"
new=$(sim_nics | tail -n1)
if [ "$new" != "$before" ] && wait_for 20 hv_has_dev "$new"; then
	expect_eq "a NIC whose host offers 1 queue: maximum combined 1" \
		1 "$(ethtool -l "$(hv_dev "$new")" | awk '$1 == "Combined:" { print $2; exit }')"
else
	fail "a NIC whose host offers 1 queue: no netdev after hot add"
fi

hv_unpair
hv_finish
