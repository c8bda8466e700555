#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault refuse_set_oid: the host answers set requests for one RNDIS OID
# with a failure.  With OID_GEN_CURRENT_PACKET_FILTER refused, a promiscuous
# change is refused by the host (refused_sets rises, the host's filter stays
# as it was) and the driver keeps working; with the knob back at 0 the same
# change reaches the host again.

source "$(dirname "$0")/hv_lib.sh"

hv_init

OID_PACKET_FILTER=0x0001010e
FILTER_PROMISC=0x20

ro_refused_moved() { [ "$(sim_stat 0 refused_sets)" -gt "$1" ]; }
ro_promisc_is() {
	[ $(( $(sim_get 0 filter) & FILTER_PROMISC )) -eq $(( $1 ? FILTER_PROMISC : 0 )) ]
}

hv_pair || { fail "set up the pair of NICs"; hv_finish; }
check "traffic before the fault" ping_ok $NS_A $IP_B

filter0=$(sim_get 0 filter)
info "nic0 filter before: $filter0"
check "the host's filter is not promiscuous to start with" ro_promisc_is 0
r0=$(sim_stat 0 refused_sets)
lines0=$(dmesg | wc -l)

echo $OID_PACKET_FILTER > "$SIM/nic0/faults/refuse_set_oid"
expect_eq "refuse_set_oid reads back" $(( OID_PACKET_FILTER )) \
	$(( $(cat "$SIM/nic0/faults/refuse_set_oid") ))
check "promisc on while refused: ip link accepts it" \
	ip -n $NS_A link set "$A" promisc on
check "refused_sets rises" wait_for 10 ro_refused_moved "$r0"
sleep 0.5
expect_eq "the host's filter stays $filter0" "$filter0" "$(sim_get 0 filter)"
info "the driver said: $(dmesg | tail -n +$((lines0 + 1)) | grep -i netvsc | tail -n 3 | tr '\n' '|')"
check "refused: the driver keeps passing traffic both ways" \
	eval 'ping_ok $NS_A $IP_B && ping_ok $NS_B $IP_A'
expect_eq "nic1 (no fault) had nothing refused" 0 "$(sim_stat 1 refused_sets)"

echo 0 > "$SIM/nic0/faults/refuse_set_oid"
r1=$(sim_stat 0 refused_sets)
ip -n $NS_A link set "$A" promisc off
ip -n $NS_A link set "$A" promisc on
check "knob off: promisc on reaches the host's filter" wait_for 10 ro_promisc_is 1
ip -n $NS_A link set "$A" promisc off
check "knob off: promisc off reaches the host's filter" wait_for 10 ro_promisc_is 0
expect_eq "knob off: nothing more is refused" "$r1" "$(sim_stat 0 refused_sets)"
check "traffic afterwards" eval 'ping_ok $NS_A $IP_B && ping_ok $NS_B $IP_A'

hv_unpair
hv_finish
