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

hv_pair || { fail "set up the pair of NICs"; hv_finish; }

hv_need_queues
expect_eq "the simulator sees $QUEUES open channels" "$QUEUES" "$(sim_get 0 open_channels)"

# The simulator's table spreads the 16 entries over the open channels
want=$(awk -v n="$QUEUES" 'BEGIN { for (i = 0; i < 16; i++) printf "%s%d", (i ? " " : ""), i % n }')
expect_eq "ethtool -d shows the host's send table" "$want" "$(send_table_d)"

# One TCP flow from a to b: its frames leave on one channel
before=$(sent01)
check "one TCP flow a -> b: 4 MiB intact" \
	transfer_port_ok $NS_A $NS_B $IP_B $((4 << 20)) 7301
sent01_delta "$before" "$(sent01)"
total=$(( D0 + D1 ))
big=$(( D0 > D1 ? D0 : D1 ))
if [ "$total" -ge 100 ] && [ $(( big * 100 )) -ge $(( total * 95 )) ]; then
	ok "one TCP flow stays on one queue (channel 0: $D0, channel 1: $D1)"
else
	fail "one TCP flow stays on one queue (channel 0: $D0, channel 1: $D1)"
fi

# 16 TCP flows from a to b: the table spreads them over both channels
flows16 5302
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
	wait_for 5 eval '[ "$(send_table_d)" = "$ones" ]'
	expect_eq "a new table from the host: ethtool -d shows it" "$ones" "$(send_table_d)"
	flows16 5303
	if [ "$D1" -ge 100 ] && [ $(( D0 * 20 )) -le $(( D0 + D1 )) ]; then
		ok "table all on channel 1: 16 new TCP flows leave on channel 1 (0: $D0, 1: $D1)"
	else
		fail "table all on channel 1: 16 new TCP flows leave on channel 1 (0: $D0, 1: $D1)"
	fi
	echo "$want" > "$SIM/nic0/send_table"
	wait_for 5 eval '[ "$(send_table_d)" = "$want" ]'
	expect_eq "the first table back: ethtool -d shows it" "$want" "$(send_table_d)"
else
	fail "the simulator sends a new send table"
fi
check "traffic after the table changes" ping_ok $NS_A $IP_B

hv_unpair
hv_finish
