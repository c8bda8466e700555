#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fault corrupt_field / corrupt_count: the host corrupts one field in each
# of its next corrupt_count messages to the guest.  For every field the
# test shows that the knob takes effect (the simulator's `corrupted` counter
# rises by exactly the count, which runs down to 0) and that the driver
# survives the bad messages: no crash or hang, a host_bad_* counter in
# ethtool -S counts them, and traffic crosses both ways afterwards; at the end a TCP transfer arrives intact and the driver
# unloads and reloads cleanly.
#
# The receive-path fields are corrupted in frames delivered to nic1; the
# trans_id field in completions of nic1's sends.  Frames cross on a VLAN as
# well as untagged, so that every frame to nic1 carries a per-packet info
# (the VLAN tag) for ppi_size and ppi_offset to corrupt.
#
# Fields that crash or hang the reference driver are listed in
# HV_REF_LACKS (fault_corrupt:<field>) and skipped for it.

source "$(dirname "$0")/hv_lib.sh"

hv_init

FIELDS="xfer_offset xfer_count range_count rndis_len data_offset data_len
	ppi_size ppi_offset nvsp_type trans_id"
COUNT=2
VID=7
VIP_A=10.7.0.1
VIP_B=10.7.0.2
F=$SIM/nic1/faults

fc_corrupted() { sim_stat 1 corrupted; }

# fc_bad: the sum of the driver's host_bad_* counters on nic1 (ethtool -S)
fc_bad() {
	inb ethtool -S "$B" 2>/dev/null |
		awk '$1 ~ /^host_bad_/ { n += $2 } END { print n + 0 }'
}

# fc_poke: a little traffic both ways, untagged and tagged; losses expected
fc_poke() {
	ina ping -q -c 2 -i 0.2 -W 1 $VIP_B >/dev/null 2>&1
	inb ping -q -c 2 -i 0.2 -W 1 $VIP_A >/dev/null 2>&1
	ina ping -q -c 1 -W 1 $IP_B >/dev/null 2>&1
}

# fc_traffic: pings both ways, untagged and on the VLAN, all come back
fc_traffic() {
	wait_for 10 ina ping -c 1 -W 1 $VIP_B >/dev/null
	ping_ok $NS_A $IP_B && ping_ok $NS_B $IP_A &&
		ping_ok $NS_A $VIP_B && ping_ok $NS_B $VIP_A
}

# fc_tcp NS_SRC NS_DST DST_IP PORT: 512 KiB over TCP arrive intact
fc_tcp() { transfer_port_ok "$1" "$2" "$3" $((512 << 10)) "$4"; }

fc_vlan() {
	modprobe 8021q 2>/dev/null
	ina ip link add link "$A" name va type vlan id $VID &&
	inb ip link add link "$B" name vb type vlan id $VID &&
	ina ip addr add $VIP_A/24 dev va && inb ip addr add $VIP_B/24 dev vb &&
	ina ip link set va up && inb ip link set vb up
}

hv_pair || { fail "set up the pair of NICs"; hv_finish; }
check "a VLAN on both NICs" fc_vlan
check "traffic before the faults" fc_traffic

for field in $FIELDS; do
	hv_pending "$field" && continue
	# Snapshot before arming: frames of their own (IPv6 neighbour
	# discovery, MLD) may meet the fault before the first poke.
	before=$(fc_corrupted)
	bad0=$(fc_bad)
	lines0=$(dmesg | wc -l)
	if ! echo "$field" > "$F/corrupt_field"; then
		fail "$field: the simulator takes the field name"
		continue
	fi
	echo $COUNT > "$F/corrupt_count"
	tries=0
	while [ $(( $(fc_corrupted) - before )) -lt $COUNT ] && [ $tries -lt 10 ]; do
		fc_poke
		tries=$((tries + 1))
	done
	got=$(( $(fc_corrupted) - before ))
	expect_eq "$field: $COUNT messages corrupted, count runs down to 0" \
		"$COUNT 0" "$got $(cat "$F/corrupt_count")"
	echo none > "$F/corrupt_field"
	echo 0 > "$F/corrupt_count"
	said=$(dmesg | tail -n +$((lines0 + 1)) | grep hv_netvsc | tail -n 1 | cut -c1-160)
	info "$field: the driver said: ${said:-nothing}"
	if ! hv_pending counted; then
		bad=$(( $(fc_bad) - bad0 ))
		if [ "$bad" -ge 1 ]; then
			ok "$field: the driver counted the bad messages (host_bad_* +$bad)"
		else
			fail "$field: the driver counted the bad messages (host_bad_* +$bad)"
		fi
	fi
	check "$field: traffic both ways afterwards" fc_traffic
done

check "TCP both ways arrives intact after the faults" \
	eval 'fc_tcp $NS_A $NS_B $IP_B 7601 && fc_tcp $NS_B $NS_A $IP_A 7602'

hv_unpair
check "rmmod after the faults" hv_unload
check "modprobe again: every NIC gets a netdev" hv_load
check "and passes traffic" eval 'hv_pair && ping_ok $NS_A $IP_B'
hv_unpair

hv_finish
