#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault drop_completions: the host discards its next N send completions, so
# the guest never gets those send sections or buffers back.  The test shows
# that the knob takes effect (completions_dropped rises by exactly N and the
# knob counts down to 0) and that the driver keeps working with fewer
# sections: pings come back and TCP transfers both ways arrive intact,
# several times over.
#
# With the reference driver the test does not unload the driver: its
# remove path waits for the lost completions forever (rmmod blocks in
# rndis_filter_device_remove, a hung task); that subtest is in
# HV_REF_LACKS.  Anything that reopens the device (ethtool -L/-G, MTU)
# would wait the same way, so the test does none of it.

source "$(dirname "$0")/hv_lib.sh"

hv_init

N=8

# dr_tcp NS_SRC NS_DST DST_IP PORT KIB: KIB of random data over TCP arrive
# intact
dr_tcp() { transfer_port_ok "$1" "$2" "$3" $(($5 << 10)) "$4"; }

dr_gone() { ! kill -0 "$1" 2>/dev/null; }

dr_done() {
	[ "$(cat "$SIM/nic0/faults/drop_completions")" = 0 ] ||
		{ ina ping -q -c 2 -i 0.2 -W 1 $IP_B >/dev/null 2>&1; return 1; }
}

hv_pair || { fail "set up the pair of NICs"; hv_finish; }
check "traffic before the fault" ping_ok $NS_A $IP_B

d0=$(sim_stat 0 completions_dropped)
echo $N > "$SIM/nic0/faults/drop_completions"
# Background traffic (neighbour discovery) may already have used some of
# the count: what is left plus what was dropped must make N.
knob_ok() {
	local v dd
	v=$(cat "$SIM/nic0/faults/drop_completions")
	dd=$(( $(sim_stat 0 completions_dropped) - d0 ))
	[ $((v + dd)) = "$N" ] && return 0
	info "drop_completions reads $v, $dd dropped: want a sum of $N"
	return 1
}
check "drop_completions reads back $N, less what traffic used" wait_for 2 knob_ok
check "a's sends use up the knob" wait_for 20 dr_done
expect_eq "completions_dropped rose by $N" $N \
	$(( $(sim_stat 0 completions_dropped) - d0 ))

for i in 1 2 3; do
	check "round $i: ping both ways" \
		eval 'ping_ok $NS_A $IP_B && ping_ok $NS_B $IP_A'
	check "round $i: 1 MiB TCP a -> b and b -> a arrive intact" \
		eval "dr_tcp $NS_A $NS_B $IP_B 770$i 1024 && dr_tcp $NS_B $NS_A $IP_A 771$i 1024"
done
expect_eq "nothing more was dropped once the knob ran out" $N \
	$(( $(sim_stat 0 completions_dropped) - d0 ))
expect_eq "nic1 (no fault) lost no completion" 0 "$(sim_stat 1 completions_dropped)"

if ! hv_pending rmmod; then
	hv_unpair
	rmmod hv_netvsc &
	pid=$!
	if wait_for 20 dr_gone $pid; then
		wait $pid
		check "rmmod after lost completions finishes" test $? = 0
	else
		fail "rmmod after lost completions finishes (still waiting after 20 s)"
	fi
fi

hv_unpair
hv_finish
