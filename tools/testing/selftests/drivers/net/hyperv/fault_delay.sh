#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault completion_delay_ms: the host holds every send completion back for
# that long.  The test shows that the knob takes effect (completions_delayed
# rises with the guest's sends, and each delayed completion is written in
# the end) and that the driver survives it: pings come back and TCP
# transfers both ways arrive intact, nothing lost, with the delay on; once it
# is off, completions flow undelayed again.

source "$(dirname "$0")/hv_lib.sh"

hv_init

DELAY_MS=30

# fd_tcp NS_SRC NS_DST DST_IP PORT KIB: KIB of random data over TCP arrive
# intact
fd_tcp() { transfer_port_ok "$1" "$2" "$3" $(($5 << 10)) "$4"; }

# fd_settled NIC C0 D0: every completion delayed since the snapshot (C0
# completions, D0 delayed) has been written
fd_settled() {
	local dc=$(( $(sim_stat "$1" completions) - $2 ))
	local dd=$(( $(sim_stat "$1" completions_delayed) - $3 ))
	[ "$dc" -ge "$dd" ]
}

hv_pair || { fail "set up the pair of NICs"; hv_finish; }
check "traffic before the fault" ping_ok $NS_A $IP_B

c0=$(sim_stat 0 completions)
d0=$(sim_stat 0 completions_delayed)
echo $DELAY_MS > "$SIM/nic0/faults/completion_delay_ms"
expect_eq "completion_delay_ms reads back $DELAY_MS" $DELAY_MS \
	"$(cat "$SIM/nic0/faults/completion_delay_ms")"

check "delayed: ping a <-> b, nothing lost" \
	eval 'ping_ok $NS_A $IP_B && ping_ok $NS_B $IP_A'
check "delayed: 2 MiB TCP a -> b arrive intact" fd_tcp $NS_A $NS_B $IP_B 7501 2048
check "delayed: 1 MiB TCP b -> a arrive intact" fd_tcp $NS_B $NS_A $IP_A 7502 1024
delayed=$(( $(sim_stat 0 completions_delayed) - d0 ))
[ "$delayed" -gt 100 ] && ok "completions_delayed rises with a's sends (+$delayed)" ||
	fail "completions_delayed rises with a's sends (+$delayed)"
check "every delayed completion is written in the end" \
	wait_for 5 fd_settled 0 "$c0" "$d0"
expect_eq "nic1 (no fault) delays nothing" 0 "$(sim_stat 1 completions_delayed)"

echo 0 > "$SIM/nic0/faults/completion_delay_ms"
sleep $(( DELAY_MS / 1000 + 1 ))
d1=$(sim_stat 0 completions_delayed)
check "delay off: TCP a -> b arrive intact" fd_tcp $NS_A $NS_B $IP_B 7503 512
expect_eq "delay off: no completion is delayed any more" "$d1" \
	"$(sim_stat 0 completions_delayed)"

hv_unpair
hv_finish
