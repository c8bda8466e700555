#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A reconfiguration that fails leaves the device as it was, the RSS
# indirection table the user set with `ethtool -X` included.  The host
# refuses the subchannels of the new channel once (faults/
# refuse_subchannels), so `ethtool -G` to other ring sizes (with two
# channels and a table of the user's) and `ethtool -L` from one channel to
# two cannot get the queues they need: each must report an error, and
# afterwards `ethtool -l`, `ethtool -g` and `ethtool -x` (and the table the
# host holds) are exactly what they were, and traffic crosses.  (With two
# CPUs the guest has two channels at most, and ethtool itself refuses to
# shrink the channels below a user's table, so -L cannot meet a table.)

source "$(dirname "$0")/hv_lib.sh"

hv_init queues=4

F=$SIM/nic0/faults

# rk_chans: the combined channel count in use
rk_chans() { ina ethtool -l "$A" | awk '$1 == "Combined:" { v = $2 } END { print v }'; }
# rk_rings: the current rx and tx ring sizes
rk_rings() {
	ina ethtool -g "$A" |
		awk '/^Current/ { c = 1 } c && $1 == "RX:" { r = $2 } c && $1 == "TX:" { t = $2 } END { print r, t }'
}
# rk_state: channels, rings, the table in -x and in the simulator
rk_state() {
	echo "chans $(rk_chans) rings $(rk_rings) x: $(rss_table_x $NS_A "$A") sim: $(sim_get 0 rss_table)"
}
rk_traffic() {
	wait_for 10 hv_carrier $NS_A "$A" &&
		wait_for 10 ina ping -c 1 -W 1 $IP_B >/dev/null &&
		ping_ok $NS_A $IP_B && ping_ok $NS_B $IP_A
}

hv_pair_checked
max=$(ina ethtool -l "$A" | awk '$1 == "Combined:" { print $2; exit }')
if [ "${max:-0}" -lt 2 ]; then
	skip "fewer than two channels possible here"
	hv_unpair
	hv_finish
fi
check "ethtool -L combined 2" ina ethtool -L "$A" combined 2
# Not the default spread (i % 2): the first half to queue 0
check "ethtool -X weight 1 1" ina ethtool -X "$A" weight 1 1
before=$(rk_state)
info "before: $before"

# rk_refused WHAT COMMAND...: COMMAND, with the next subchannel request
# refused, reports an error; the host refused once; traffic crosses; and
# the state is as it was
rk_refused() {
	local what=$1 n0
	shift
	echo 0 > "$F/refuse_subchannels"
	n0=$(sim_stat 0 refused_subchannels)
	echo 1 > "$F/refuse_subchannels"
	if "$@" 2>/dev/null; then
		fail "$what with subchannels refused reports an error"
	else
		ok "$what with subchannels refused reports an error"
	fi
	expect_eq "$what: the host refused the subchannels once" \
		"$((n0 + 1)) 0" "$(sim_stat 0 refused_subchannels) $(cat "$F/refuse_subchannels")"
	check "$what: traffic afterwards" rk_traffic
	expect_eq "$what: channels, rings and RSS table as before" "$before" "$(rk_state)"
}

if ! hv_pending rings; then
	read -r rx tx <<< "$(rk_rings)"
	rk_refused "ethtool -G" ina ethtool -G "$A" rx $((rx / 2)) tx $((tx / 2))
fi

if ! hv_pending channels; then
	# One queue has no table: from 1 to 2 channels, refused
	ina ethtool -X "$A" default
	check "ethtool -L combined 1" ina ethtool -L "$A" combined 1
	before=$(rk_state)
	rk_refused "ethtool -L combined 2" ina ethtool -L "$A" combined 2
fi

echo 0 > "$F/refuse_subchannels"
hv_unpair
check "rmmod" hv_unload
hv_finish
