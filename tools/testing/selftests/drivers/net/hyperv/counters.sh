#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Counters in `ethtool -S`: one set per queue up to the maximum channels
# (packets and bytes each way, queue stops and wakes, ring-full and
# no-section events, checksum and LSO counts) and the device totals.  The
# test makes each counter move and checks that it moves for the right
# reason only: the per-queue values add up to the totals and to the
# standard counters of ip -s link; checksum and LSO counts follow
# ethtool -K; a checksum the host reports bad is counted and the frame
# still arrives; send sections that run out while the host delays its
# completions are counted.  Queue stops, wakes and ring-full events are
# made in fault_ring_full.sh, where the host stops reading the ring.

source "$(dirname "$0")/hv_lib.sh"

hv_init

# st NS DEV NAME: one counter of `ethtool -S` (empty when there is none)
st() {
	ip netns exec "$1" ethtool -S "$2" 2>/dev/null |
		awk -v k="$3:" '$1 == k { print $2; exit }'
}

# st_sum NS DEV DIR NAME: the sum of DIR_queue_N_NAME over every queue
st_sum() {
	ip netns exec "$1" ethtool -S "$2" 2>/dev/null | awk -v d="$3" -v n="$4" '
		{ k = $1; sub(/:$/, "", k) }
		k ~ "^" d "_queue_[0-9]+_" n "$" { s += $2 }
		END { print s + 0 }'
}

# st_names NS DEV: every counter name, one line
st_names() {
	ip netns exec "$1" ethtool -S "$2" 2>/dev/null |
		awk -F: 'NR > 1 { gsub(/ /, "", $1); printf "%s ", $1 }'
}

# st_check_sum NS DEV DIR NAME TOTAL: the queues add up to the total
st_sum_is() {
	local s t
	s=$(st_sum "$1" "$2" "$3" "$4")
	t=$(st "$1" "$2" "$5")
	[ "$s" = "$t" ] && return 0
	info "$3_queue_*_$4 add up to $s, $5 is $t"
	return 1
}

# st_totals_match NS DEV: per-queue packets and bytes add up to the
# standard counters.  Frames the stack sends meanwhile (neighbour
# discovery) can come between the two reads: a few tries.
st_totals_match() {
	local ns=$1 dev=$2 i want got
	for i in 1 2 3 4 5; do
		want=$(ip netns exec "$ns" sh -c "cd /sys/class/net/$dev/statistics &&
			cat tx_packets tx_bytes rx_packets rx_bytes" | tr '\n' ' ')
		got="$(st_sum "$ns" "$dev" tx packets) $(st_sum "$ns" "$dev" tx bytes) "
		got="$got$(st_sum "$ns" "$dev" rx packets) $(st_sum "$ns" "$dev" rx bytes) "
		[ "$want" = "$got" ] && return 0
		sleep 0.5
	done
	info "statistics/{tx,rx}_{packets,bytes}: $want; queues: $got"
	return 1
}

# grew WHAT BEFORE AFTER [MIN]: a subtest that a counter rose by at least MIN (1)
grew() {
	if [ "$3" -ge $(( $2 + ${4:-1} )) ]; then
		ok "$1 ($2 -> $3)"
	else
		fail "$1 ($2 -> $3, want at least +${4:-1})"
	fi
}

hv_pair_checked

max=$(ina ethtool -l "$A" | awk '$1 == "Combined:" { print $2; exit }')
ina ethtool -L "$A" combined "$max" 2>/dev/null
inb ethtool -L "$B" combined "$max" 2>/dev/null
wait_for 10 hv_carrier $NS_A "$A"
wait_for 10 hv_carrier $NS_B "$B"
wait_for 10 ina ping -c 1 -W 1 $IP_B >/dev/null
info "$max queues on both sides"

# ------------------------------------------------------------ names
names=$(st_names $NS_A "$A")
miss=
for ((q = 0; q < max; q++)); do
	for n in tx_queue_${q}_packets tx_queue_${q}_bytes \
		 rx_queue_${q}_packets rx_queue_${q}_bytes; do
		[[ " $names" == *" $n "* ]] || miss="$miss $n"
	done
done
expect_eq "packets and bytes of each of the $max queues each way" "" "$miss"

if ! hv_pending names; then
	miss=
	for n in stop_queue wake_queue tx_ring_full tx_no_section tx_csum \
		 tx_lso rx_csum_ok rx_csum_bad; do
		[[ " $names" == *" $n "* ]] || miss="$miss $n"
	done
	for ((q = 0; q < max; q++)); do
		for n in stop wake ring_full no_section csum lso; do
			[[ " $names" == *" tx_queue_${q}_$n "* ]] || miss="$miss tx_queue_${q}_$n"
		done
		for n in csum_ok csum_bad; do
			[[ " $names" == *" rx_queue_${q}_$n "* ]] || miss="$miss rx_queue_${q}_$n"
		done
	done
	expect_eq "totals and per-queue stops, wakes, ring-full, no-section, checksum and LSO counts" \
		"" "$miss"
fi

# ------------------------------------------------------------ checksum, LSO
ina ethtool -K "$A" tx on tso on >/dev/null 2>&1
inb ethtool -K "$B" rx on >/dev/null 2>&1
if ! hv_pending offloads; then
	c0=$(st $NS_A "$A" tx_csum); l0=$(st $NS_A "$A" tx_lso)
	r0=$(st $NS_B "$B" rx_csum_ok)
	check "TCP a -> b with checksum offload and TSO" \
		transfer_port_ok $NS_A $NS_B $IP_B 1048576 7601
	grew "tx_lso counts the large sends with TSO on" "$l0" "$(st $NS_A "$A" tx_lso)"
	grew "tx_csum counts the other TCP sends" "$c0" "$(st $NS_A "$A" tx_csum)"
	# 1 MiB is at least 700 full frames, each verified by the host
	grew "rx_csum_ok counts the frames the host verified" \
		"$r0" "$(st $NS_B "$B" rx_csum_ok)" 700

	ina ethtool -K "$A" tso off >/dev/null 2>&1
	c0=$(st $NS_A "$A" tx_csum); l0=$(st $NS_A "$A" tx_lso)
	check "TCP a -> b with TSO off" transfer_port_ok $NS_A $NS_B $IP_B 262144 7602
	expect_eq "TSO off: tx_lso stays" "$l0" "$(st $NS_A "$A" tx_lso)"
	# 256 KiB is at least 180 frames, each with a checksum request
	grew "TSO off: every frame asks for the checksum (tx_csum)" \
		"$c0" "$(st $NS_A "$A" tx_csum)" 180

	ina ethtool -K "$A" tx off >/dev/null 2>&1
	inb ethtool -K "$B" rx off >/dev/null 2>&1
	c0=$(st $NS_A "$A" tx_csum); l0=$(st $NS_A "$A" tx_lso)
	r0=$(st $NS_B "$B" rx_csum_ok)
	check "TCP a -> b with checksum offload off both sides" \
		transfer_port_ok $NS_A $NS_B $IP_B 262144 7603
	expect_eq "tx off: tx_csum and tx_lso stay" "$c0 $l0" \
		"$(st $NS_A "$A" tx_csum) $(st $NS_A "$A" tx_lso)"
	expect_eq "rx off: rx_csum_ok stays" "$r0" "$(st $NS_B "$B" rx_csum_ok)"
	check "tx_queue_N_csum add up to tx_csum" st_sum_is $NS_A "$A" tx csum tx_csum
	check "tx_queue_N_lso add up to tx_lso" st_sum_is $NS_A "$A" tx lso tx_lso
	check "rx_queue_N_csum_ok add up to rx_csum_ok" \
		st_sum_is $NS_B "$B" rx csum_ok rx_csum_ok
fi
ina ethtool -K "$A" tx on tso on >/dev/null 2>&1
inb ethtool -K "$B" rx on >/dev/null 2>&1

# A checksum the host says is bad: the frame goes up unverified, the
# stack checks it itself, and it arrives
F=$SIM/nic1/faults
c0=$(sim_stat 1 corrupted)
b0=$(st $NS_B "$B" rx_csum_bad)
echo csum_fail > "$F/corrupt_field"
echo 5 > "$F/corrupt_count"
check "TCP a -> b while the host reports 5 checksums bad" \
	transfer_port_ok $NS_A $NS_B $IP_B 262144 7604
echo none > "$F/corrupt_field"
echo 0 > "$F/corrupt_count"
expect_eq "the simulator reported 5 checksums bad" 5 $(( $(sim_stat 1 corrupted) - c0 ))
if ! hv_pending csum-bad; then
	expect_eq "rx_csum_bad counts exactly those 5" 5 $(( $(st $NS_B "$B" rx_csum_bad) - b0 ))
	check "rx_queue_N_csum_bad add up to rx_csum_bad" \
		st_sum_is $NS_B "$B" rx csum_bad rx_csum_bad
fi

# ------------------------------------------------------------ sections
# The host holds every send completion back: the send sections run out and
# copied frames fall back to page ranges, and queues that run out of send
# slots stop until the completions come.  (fault_ring_full stops them by
# the ring, which the host stops reading.)
if ! hv_pending no-section; then
	s0=$(st $NS_A "$A" stop_queue); w0=$(st $NS_A "$A" wake_queue)
	n0=$(st $NS_A "$A" tx_no_section)
	echo 300 > "$SIM/nic0/faults/completion_delay_ms"
	iperf_json $NS_B $IP_B $NS_A 7605 -u -b 0 -l 100 -P 4 -t 3 >/dev/null
	echo 0 > "$SIM/nic0/faults/completion_delay_ms"
	grew "delayed completions: copied frames found no send section (tx_no_section)" \
		"$n0" "$(st $NS_A "$A" tx_no_section)"
	check "traffic after the delay" ping_ok $NS_A $IP_B
	s1=$(st $NS_A "$A" stop_queue); w1=$(st $NS_A "$A" wake_queue)
	d=$(( s1 - w1 - (s0 - w0) ))
	[ "$d" -eq 0 ] && ok "every stop was followed by a wake (stop_queue $s1, wake_queue $w1)" ||
		fail "every stop was followed by a wake (stop_queue $s1, wake_queue $w1)"
	info "tx_ring_full $(st $NS_A "$A" tx_ring_full), tx_busy $(st $NS_A "$A" tx_busy)"
	check "tx_queue_N_stop add up to stop_queue" st_sum_is $NS_A "$A" tx stop stop_queue
	check "tx_queue_N_wake add up to wake_queue" st_sum_is $NS_A "$A" tx wake wake_queue
	check "tx_queue_N_no_section add up to tx_no_section" \
		st_sum_is $NS_A "$A" tx no_section tx_no_section
	check "tx_queue_N_ring_full add up to tx_ring_full" \
		st_sum_is $NS_A "$A" tx ring_full tx_ring_full
fi

# ------------------------------------------------------------ totals
check "a: per-queue packets and bytes add up to ip -s link" st_totals_match $NS_A "$A"
check "b: per-queue packets and bytes add up to ip -s link" st_totals_match $NS_B "$B"

# Nothing resets on down/up, and names stay
before=$(st_sum $NS_A "$A" tx packets)
ina ip link set "$A" down
ina ip link set "$A" up
wait_for 10 hv_carrier $NS_A "$A"
wait_for 10 ina ping -c 1 -W 1 $IP_B >/dev/null
after=$(st_sum $NS_A "$A" tx packets)
[ "$after" -ge "$before" ] && ok "down/up: per-queue counters kept ($before -> $after)" ||
	fail "down/up: per-queue counters kept ($before -> $after)"
expect_eq "down/up: the same counter names" "$names" "$(st_names $NS_A "$A")"

hv_unpair
hv_finish
