#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Sends the host loses for good: it drops the completions of more sends
# than a has send sections, so every section stays with the host (a
# section the host never gave back may still be read by it, so the driver
# cannot reuse it).  A down/up must bring the device back, as a user would
# try: with no section left, the receive filter that opening sends finds
# none, unless the driver starts a new channel, which gets every slot and
# section back.  Found by fuzz.sh in make check (seed 312203: "cannot set
# the receive filter: -28" at the down/up).

source "$(dirname "$0")/hv_lib.sh"

hv_init

lo_gone() { [ "$(cat "$SIM/nic0/faults/drop_completions")" = 0 ]; }

# lo_sections: the send sections a has now (ethtool -g TX)
lo_sections() {
	ina ethtool -g "$A" | awk '/^Current/ { c = 1 } c && $1 == "TX:" { print $2; exit }'
}

hv_pair_checked
check "ethtool -G tx 16: few send sections" ina ethtool -G "$A" tx 16
wait_for 10 hv_carrier $NS_A "$A"
sec=$(lo_sections)
check "a has few send sections (ethtool -g TX: $sec)" test "${sec:-0}" -le 64
check "traffic before the fault" ping_ok $NS_A $IP_B

n=$((sec + 16))
t0=0
[ "$HV_DRIVER" = ours ] &&
	t0=$(ina ethtool -S "$A" | awk '$1 == "host_send_timeout:" { print $2 }')
d0=$(sim_stat 0 completions_dropped)
echo $n > "$SIM/nic0/faults/drop_completions"
# Small frames, each copied into a section of its own
ina ping -q -c $((n + 32)) -i 0.02 -W 1 $IP_B >/dev/null 2>&1
wait_for 20 eval 'lo_gone || ina ping -q -c 4 -i 0.05 -W 1 $IP_B >/dev/null 2>&1; lo_gone'
expect_eq "the host dropped $n send completions" $n \
	$(( $(sim_stat 0 completions_dropped) - d0 ))
# The driver calls a send lost after 2 s without its completion
sleep 3

check "ip link set down" ina ip link set "$A" down
check "ip link set up after the host lost every section" ina ip link set "$A" up
check "carrier again" wait_for 10 hv_carrier $NS_A "$A"
check "ping both ways" eval 'wait_for 10 ping_ok $NS_A $IP_B && ping_ok $NS_B $IP_A'
check "1 MiB TCP a -> b and b -> a arrive intact" \
	eval "transfer_port_ok $NS_A $NS_B $IP_B 1048576 7721 && transfer_port_ok $NS_B $NS_A $IP_A 1048576 7722"
if [ "$HV_DRIVER" = ours ]; then
	check "the driver said why it started a new channel" \
		eval 'dmesg | grep -q "sends it never completed: new channel"'
	# Each lost send once (the first few may have been reaped while the
	# queue was stopped): at least the sections, at most all dropped
	lost=$(( $(ina ethtool -S "$A" | awk '$1 == "host_send_timeout:" { print $2 }') - t0 ))
	check "host_send_timeout counts the lost sends ($lost; sections $sec, dropped $n)" \
		eval '[ $lost -ge $sec ] && [ $lost -le $n ]'
fi
check "ethtool -g TX kept across the new channel" test "$(lo_sections)" = "$sec"
check "no protocol violations seen by the simulator" test "$(hv_violations)" = 0

hv_unpair
hv_finish
