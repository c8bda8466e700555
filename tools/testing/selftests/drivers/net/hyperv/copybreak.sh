#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Copybreak: `ethtool --get-tunable` shows rx-copybreak 256 and tx-copybreak
# 512 by default; values set with --set-tunable read back and survive a
# channel change; values beyond the largest frame are refused and change
# nothing.  tx-copybreak decides how a frame goes to the host: up to it,
# copied into a send section; above it, as page ranges, which tx_scattered
# in `ethtool -S` counts.  Traffic crosses with every setting.

source "$(dirname "$0")/hv_lib.sh"

hv_init

# tn_get NS DEV NAME: the value --get-tunable shows
tn_get() {
	ip netns exec "$1" ethtool --get-tunable "$2" "$3" 2>/dev/null |
		awk -v k="$3:" '$1 == k { print $2; exit }'
}

tn_set() {
	ip netns exec "$1" ethtool --set-tunable "$2" "$3" "$4"
}

# tn_scattered: tx_scattered of a's device
tn_scattered() {
	ina ethtool -S "$A" | awk '$1 == "tx_scattered:" { print $2; exit }'
}

# tn_pings SIZE: three pings of SIZE bytes from a to b; prints how far
# tx_scattered moved
tn_pings() {
	local s0
	s0=$(tn_scattered)
	ping_sizes $NS_A $IP_B "$1" >/dev/null || info "pings of $1 bytes failed"
	echo $(( $(tn_scattered) - s0 ))
}

hv_pair || { fail "set up the pair of NICs"; hv_finish; }

expect_eq "rx-copybreak is 256 by default" 256 "$(tn_get $NS_A "$A" rx-copybreak)"
expect_eq "tx-copybreak is 512 by default" 512 "$(tn_get $NS_A "$A" tx-copybreak)"

# 1000-byte pings are 1042-byte frames: above the default tx-copybreak
d=$(tn_pings 1000)
[ "$d" -ge 2 ] && ok "tx-copybreak 512: 1042-byte frames go as page ranges (tx_scattered +$d)" ||
	fail "tx-copybreak 512: 1042-byte frames go as page ranges (tx_scattered +$d)"

check "tx-copybreak 2048 accepted" tn_set $NS_A "$A" tx-copybreak 2048
expect_eq "tx-copybreak 2048 reads back" 2048 "$(tn_get $NS_A "$A" tx-copybreak)"
d=$(tn_pings 1000)
expect_eq "tx-copybreak 2048: 1042-byte frames are copied (tx_scattered unchanged)" 0 "$d"

check "tx-copybreak 0 accepted" tn_set $NS_A "$A" tx-copybreak 0
expect_eq "tx-copybreak 0 reads back" 0 "$(tn_get $NS_A "$A" tx-copybreak)"
d=$(tn_pings 56)
[ "$d" -ge 2 ] && ok "tx-copybreak 0: small frames go as page ranges (tx_scattered +$d)" ||
	fail "tx-copybreak 0: small frames go as page ranges (tx_scattered +$d)"

check "rx-copybreak 128 accepted" tn_set $NS_A "$A" rx-copybreak 128
expect_eq "rx-copybreak 128 reads back" 128 "$(tn_get $NS_A "$A" rx-copybreak)"
check "traffic with rx-copybreak 128 and tx-copybreak 0" ping_sizes $NS_B $IP_A 56 1000 1472

# Beyond the largest frame: refused, nothing changes
for t in rx-copybreak tx-copybreak; do
	before=$(tn_get $NS_A "$A" $t)
	if tn_set $NS_A "$A" $t 100000 2>/dev/null; then
		fail "$t 100000 (beyond the largest frame) refused"
	else
		ok "$t 100000 (beyond the largest frame) refused"
	fi
	expect_eq "$t 100000 refused: the value stays $before" "$before" \
		"$(tn_get $NS_A "$A" $t)"
done

# The tunables survive a channel change
tn_set $NS_A "$A" tx-copybreak 300
max=$(ina ethtool -l "$A" | awk '$1 == "Combined:" { print $2; exit }')
cur=$(ina ethtool -l "$A" | awk '$1 == "Combined:" { v = $2 } END { print v }')
other=$(( cur > 1 ? 1 : (max > 1 ? 2 : 1) ))
ina ethtool -L "$A" combined "$other" 2>/dev/null
expect_eq "rx-copybreak and tx-copybreak survive ethtool -L combined $other" \
	"128 300" "$(tn_get $NS_A "$A" rx-copybreak) $(tn_get $NS_A "$A" tx-copybreak)"
ina ethtool -L "$A" combined "$cur" 2>/dev/null
wait_for 10 hv_carrier $NS_A "$A"
wait_for 10 ina ping -c 1 -W 1 $IP_B >/dev/null
check "traffic after the channel changes" ping_sizes $NS_A $IP_B 56 1000 1472
check "a TCP transfer a -> b arrives intact" transfer_port_ok $NS_A $NS_B $IP_B 262144 7501

hv_unpair
hv_finish
