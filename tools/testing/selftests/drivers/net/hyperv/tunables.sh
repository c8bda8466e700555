#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Tunables: `ethtool --get-tunable DEV rx-copybreak tx-copybreak` shows the
# DPDK driver's defaults, 256 and 512; `--set-tunable` takes values from 0
# up to a largest one (found here by bisection, tx-copybreak no larger than
# a send section since a packet up to it is copied into one) and they read
# back exactly, the other tunable untouched; the value just past the
# largest, and 0xffffffff, are refused and change nothing.  After every
# change, pings at sizes around the copybreak come back both ways and a
# TCP transfer arrives intact each way.  The values survive link down/up
# and an MTU change.

source "$(dirname "$0")/hv_lib.sh"

hv_init

TN_DEF_RX=256
TN_DEF_TX=512

# tn_get NS DEV NAME: the value --get-tunable prints (empty on error)
tn_get() {
	ip netns exec "$1" ethtool --get-tunable "$2" "$3" 2>/dev/null |
		awk -F': *' -v k="$3" '$1 == k { print $2; exit }'
}

# tn_set NS DEV NAME VALUE
tn_set() {
	ip netns exec "$1" ethtool --set-tunable "$2" "$3" "$4" 2>/dev/null
}

# tn_both: "rx tx" as --get-tunable shows them on A, then on B
tn_both() {
	echo "$(tn_get $NS_A "$A" rx-copybreak) $(tn_get $NS_A "$A" tx-copybreak)" \
		"/ $(tn_get $NS_B "$B" rx-copybreak) $(tn_get $NS_B "$B" tx-copybreak)"
}

# tn_max NAME: the largest value NAME accepts on A (bisection between the
# current value, accepted, and 0xffffffff); empty when 0xffffffff is
# accepted too, "none" when NAME cannot be read.  Puts the value it found
# in force.
tn_max() {
	local name=$1 lo hi mid
	lo=$(tn_get $NS_A "$A" "$name")
	[ -n "$lo" ] || { echo none; return; }
	hi=4294967295
	if tn_set $NS_A "$A" "$name" $hi; then
		return
	fi
	while [ $((hi - lo)) -gt 1 ]; do
		mid=$(( (lo + hi) / 2 ))
		if tn_set $NS_A "$A" "$name" $mid; then lo=$mid; else hi=$mid; fi
	done
	tn_set $NS_A "$A" "$name" "$lo"
	echo "$lo"
}

# tn_sizes C: ICMP payload sizes whose frames (payload + 42) or IP packets
# (payload + 28) fall just below, at and just above C, within one frame of
# MTU 1500, and the smallest and largest too
tn_sizes() {
	local c=$1 s
	{
		for s in $((c - 43)) $((c - 42)) $((c - 41)) \
			 $((c - 29)) $((c - 28)) $((c - 27)) 0 1 1472; do
			[ $s -ge 0 ] && [ $s -le 1472 ] && echo $s
		done
	} | sort -nu | tr '\n' ' '
}

# tn_traffic C: pings at sizes around C both ways, then 512 KiB over TCP
# each way, intact
tn_traffic() {
	local sizes
	sizes=$(tn_sizes "$1")
	wait_for 10 ina ping -c 1 -W 1 $IP_B >/dev/null
	ping_sizes $NS_A $IP_B $sizes || return 1
	ping_sizes $NS_B $IP_A $sizes || return 1
	transfer_port_ok $NS_A $NS_B $IP_B 524288 7401 || return 1
	transfer_port_ok $NS_B $NS_A $IP_A 524288 7402
}

hv_pair_checked

expect_eq "defaults: rx-copybreak $TN_DEF_RX, tx-copybreak $TN_DEF_TX on both NICs" \
	"$TN_DEF_RX $TN_DEF_TX / $TN_DEF_RX $TN_DEF_TX" "$(tn_both)"
out=$(ip netns exec $NS_A ethtool --get-tunable "$A" rx-copybreak tx-copybreak 2>&1)
expect_eq "one --get-tunable call shows both" \
	"rx-copybreak: $TN_DEF_RX|tx-copybreak: $TN_DEF_TX" "$(echo "$out" | paste -sd'|')"

# The largest values accepted
rx_max=$(tn_max rx-copybreak)
tx_max=$(tn_max tx-copybreak)
ssec=$(cut -d' ' -f1 "$SIM/nic0/send_sections")
info "largest accepted: rx-copybreak '$rx_max', tx-copybreak '$tx_max'; send section $ssec bytes"
for t in rx tx; do
	eval "m=\$${t}_max"
	case $m in
	none) fail "$t-copybreak has a largest value (--get-tunable fails)"
	      m= ;;
	"") fail "$t-copybreak has a largest value (0xffffffff is accepted)" ;;
	*) ok "$t-copybreak has a largest value ($m)" ;;
	esac
	eval "${t}_max=\$m"
done
[ -n "$tx_max" ] && [ "$tx_max" -le "$ssec" ] && [ "$tx_max" -ge $TN_DEF_TX ] &&
	ok "tx-copybreak's largest value is within a send section ($TN_DEF_TX..$ssec)" ||
	fail "tx-copybreak's largest value is within a send section ($TN_DEF_TX..$ssec; got '$tx_max')"
rx_max=${rx_max:-4294967295}
tx_max=${tx_max:-$ssec}
tn_set $NS_A "$A" rx-copybreak $TN_DEF_RX
tn_set $NS_A "$A" tx-copybreak $TN_DEF_TX

# Values read back exactly, on both NICs, the other tunable untouched;
# traffic after each
for v in 0 1 128 $TN_DEF_RX 1000 1514 $rx_max $TN_DEF_RX; do
	[ "$v" -le "$rx_max" ] || continue
	if tn_set $NS_A "$A" rx-copybreak "$v" && tn_set $NS_B "$B" rx-copybreak "$v"; then
		ok "rx-copybreak $v accepted"
	else
		fail "rx-copybreak $v accepted"
		continue
	fi
	expect_eq "rx-copybreak $v: reads back, tx-copybreak stays $TN_DEF_TX" \
		"$v $TN_DEF_TX / $v $TN_DEF_TX" "$(tn_both)"
	check "rx-copybreak $v: pings around it and TCP intact both ways" tn_traffic "$v"
done
for v in 0 1 $TN_DEF_TX 1500 $tx_max $TN_DEF_TX; do
	[ "$v" -le "$tx_max" ] || continue
	if tn_set $NS_A "$A" tx-copybreak "$v" && tn_set $NS_B "$B" tx-copybreak "$v"; then
		ok "tx-copybreak $v accepted"
	else
		fail "tx-copybreak $v accepted"
		continue
	fi
	expect_eq "tx-copybreak $v: reads back, rx-copybreak stays $TN_DEF_RX" \
		"$TN_DEF_RX $v / $TN_DEF_RX $v" "$(tn_both)"
	check "tx-copybreak $v: pings around it and TCP intact both ways" tn_traffic "$v"
done

# Out of range: refused, unchanged
tn_set $NS_A "$A" rx-copybreak 100
tn_set $NS_A "$A" tx-copybreak 300
for arg in "rx-copybreak $((rx_max + 1))" "rx-copybreak 4294967295" \
	   "tx-copybreak $((tx_max + 1))" "tx-copybreak 4294967295"; do
	[ "${arg#* }" -le 4294967295 ] || continue
	if tn_set $NS_A "$A" $arg; then
		fail "$arg (out of range) refused"
	else
		ok "$arg (out of range) refused"
	fi
	expect_eq "$arg refused: both values unchanged" "100 300" \
		"$(tn_get $NS_A "$A" rx-copybreak) $(tn_get $NS_A "$A" tx-copybreak)"
done
check "after the refusals: pings and TCP intact both ways" tn_traffic 300

# The values survive link down/up and an MTU change
ina ip link set "$A" down
ina ip link set "$A" up
expect_eq "after link down/up: the values stay" "100 300" \
	"$(tn_get $NS_A "$A" rx-copybreak) $(tn_get $NS_A "$A" tx-copybreak)"
ina ip link set "$A" mtu 9000 && ina ip link set "$A" mtu 1500
expect_eq "after MTU 9000 and back to 1500: the values stay" "100 300" \
	"$(tn_get $NS_A "$A" rx-copybreak) $(tn_get $NS_A "$A" tx-copybreak)"
check "after down/up and the MTU change: pings and TCP intact both ways" tn_traffic 100

hv_unpair
hv_finish
