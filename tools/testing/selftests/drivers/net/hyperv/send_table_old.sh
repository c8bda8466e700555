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

# st_bad: the driver's count of send tables it refused (ours only)
st_bad() {
	ina ethtool -S "$A" | awk '$1 == "host_bad_send_table:" { print $2 }'
}

hv_pair_checked
expect_eq "NVSP version negotiated" 0x60000 "$(sim_get 0 nvsp_version)"

hv_need_queues

bad0=0
[ "$HV_DRIVER" = ours ] && bad0=$(st_bad)

# A table unlike the one the guest starts with (entry i = i % queues)
alt=$(awk -v n="$QUEUES" 'BEGIN { for (i = 0; i < 16; i++) printf "%s%d", (i ? " " : ""), (n - 1 - i % n) }')
echo "$alt" > "$SIM/nic0/send_table"
wait_for 5 eval '[ "$(send_table_d)" = "$alt" ]'
expect_eq "a table from the 6.0 host: ethtool -d shows it" "$alt" "$(send_table_d)"

# Every entry on channel 1: 16 new flows all leave on channel 1
ones=$(awk 'BEGIN { for (i = 0; i < 16; i++) printf "%s1", (i ? " " : "") }')
echo "$ones" > "$SIM/nic0/send_table"
wait_for 5 eval '[ "$(send_table_d)" = "$ones" ]'
expect_eq "table all on channel 1: ethtool -d shows it" "$ones" "$(send_table_d)"
flows16 5311
if [ "$D1" -ge 100 ] && [ $(( D0 * 20 )) -le $(( D0 + D1 )) ]; then
	ok "table all on channel 1: 16 TCP flows leave on channel 1 (0: $D0, 1: $D1)"
else
	fail "table all on channel 1: 16 TCP flows leave on channel 1 (0: $D0, 1: $D1)"
fi

# Every entry on channel 0: the flows move back
zeros=$(awk 'BEGIN { for (i = 0; i < 16; i++) printf "%s0", (i ? " " : "") }')
echo "$zeros" > "$SIM/nic0/send_table"
wait_for 5 eval '[ "$(send_table_d)" = "$zeros" ]'
flows16 5312
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
