#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SR-IOV: each of the two NICs has a VF (an e1000e with its MAC, in the PCIe
# slot named after the serial the host announces).  Once the VF's driver is
# loaded the VF must be paired with its NIC (in the NIC's namespace, as its
# lower device), the data path must go to it, and unicast must cross the
# VFs, not the synthetic channels: the simulator counts each path.  Then a
# VF taken down and up, and a revoke and an offer as Azure makes them.
#
# vm-run-vf: 2

source "$(dirname "$0")/hv_lib.sh"

hv_need_vfs 2
hv_init
hv_pair_checked

# vf_of NIC: "NAMESPACE DEV" of NIC's VF, wherever it is
vf_of() {
	local ns d
	for ns in "" $NS_A $NS_B; do
		d=$(hv_vf_in "$ns" "$1")
		[ -n "$d" ] && { echo "${ns:-init} $d"; return 0; }
	done
	return 1
}
vf_there() { vf_of "$1" > /dev/null; }

modprobe e1000e || { fail "load e1000e, the VFs' driver"; hv_finish; }
wait_for 20 vf_there 0 && wait_for 20 vf_there 1
read -r ns_va VA <<< "$(vf_of 0)"
read -r ns_vb VB <<< "$(vf_of 1)"
check "each NIC's VF is there: a PCI netdev with the NIC's MAC (nic0: $ns_va/${VA:-none}, nic1: $ns_vb/${VB:-none})" \
	test -n "${VA:-}" -a -n "${VB:-}"
[ -n "${VA:-}" ] && [ -n "${VB:-}" ] || hv_finish

# Pairing: in the NIC's namespace, as its lower device, in the slot the
# host named
wait_for 10 eval '[ "$(vf_of 0 | cut -d" " -f1)" = $NS_A ]'
read -r ns_va VA <<< "$(vf_of 0)"
check "nic0's VF $VA is moved into nic0's namespace (it is in $ns_va)" \
	test "$ns_va" = $NS_A
check "$A has $VA as its lower device (lower_$VA)" \
	ina test -e "/sys/class/net/$A/lower_$VA"
check "$VA's master is $A" \
	eval 'ina ip -o link show "$VA" | grep -q "master $A "'
serial=$(sim_get 0 vf_serial)
addr=$(ina readlink "/sys/class/net/$VA/device")
addr=${addr##*/}
check "$VA sits in PCI slot $serial, the host's serial (its address: $addr, the slot's: $(cat /sys/bus/pci/slots/"$serial"/address 2>/dev/null))" \
	test "$(cat "/sys/bus/pci/slots/$serial/address" 2>/dev/null)" = "${addr%.*}"

wait_for 20 eval 'sim_path_is 0 vf && sim_path_is 1 vf'
check "the host sees both data paths on the VF (nic0: $(sim_get 0 data_path), nic1: $(sim_get 1 data_path))" \
	eval 'sim_path_is 0 vf && sim_path_is 1 vf'
check "the host sends no frame down a representor it has not taken (nic0's: $(sim_get 0 vf_representor))" \
	test "$(sim_get 0 vf_representor)" != none

# vf_pings: 20 pings a -> b, and which path the host saw them on; a
# driver sends through a VF once it has carrier (an e1000e takes a second
# or two after it opens)
vf_pings() {
	wait_for 20 hv_carrier $NS_A "$VA"
	wait_for 20 hv_carrier $NS_B "$VB"
	sim_snap 0 1
	wait_for 10 ina ping -c 1 -W 1 $IP_B > /dev/null
	sim_snap 0 1
	ina ping -q -c 20 -i 0.05 -W 2 $IP_B 2>&1 | grep -q ' 0% packet loss'
}

check "20 pings from a to b come back" vf_pings
vtx=$(sim_delta 0 vf_tx_packets) vrx=$(sim_delta 1 vf_rx_packets)
stx=$(sim_delta 0 tx_packets)
check "they crossed the VFs: nic0's VF sent $vtx frames, nic1's got $vrx (20 or more each)" \
	test "$vtx" -ge 20 -a "$vrx" -ge 20
check "and not the synthetic path: nic0 sent $stx frames there (fewer than 5)" \
	test "$stx" -lt 5
check "1 MiB over TCP a -> b arrives intact" \
	transfer_port_ok $NS_A $NS_B $IP_B 1048576 7101
check "1 MiB over TCP b -> a arrives intact" \
	transfer_port_ok $NS_B $NS_A $IP_A 1048576 7102
info "nic0: $(grep '^vf_' "$SIM/nic0/stats" | tr '\n' ' ')"
et_tx=$(hv_ethtool_stat $NS_A "$A" vf_tx_packets)
et_rx=$(hv_ethtool_stat $NS_A "$A" vf_rx_packets)
check "$A's ethtool -S counts the VF path (vf_tx_packets $et_tx, vf_rx_packets $et_rx; the host saw $(sim_stat 0 vf_tx_packets) sent)" \
	test "${et_tx:-0}" -ge 20 -a "${et_rx:-0}" -ge 20

# The VF down: the data path comes back, traffic goes on
ina ip link set "$VA" down
wait_for 10 sim_path_is 0 synthetic
check "$VA down: nic0's data path is synthetic again" sim_path_is 0 synthetic
sim_snap 0 1
check "pings a -> b still come back" ping_ok $NS_A $IP_B
check "now over nic0's synthetic channel (sent $(sim_delta 0 tx_packets) frames there)" \
	test "$(sim_delta 0 tx_packets)" -ge 3
ina ip link set "$VA" up
wait_for 20 sim_path_is 0 vf
check "$VA up: nic0's data path is the VF again" sim_path_is 0 vf
check "pings a -> b come back" ping_ok $NS_A $IP_B

# Azure takes the VF away: association 0, then the PCI function goes
sim_set 0 vf_revoke 1 2>/dev/null
check "the host revoked nic0's VF (association 0, then hot removal)" \
	test "$(sim_stat 0 vf_removed)" = 1
# The kernel's driver leaves the VF only when its netdev goes; ours as
# soon as the host withdraws it, so that no frame is sent to a VF that is
# about to vanish
if [ "$HV_DRIVER" = ours ]; then
	check "$A left the VF on the withdrawal, before the removal" \
		test "$(sim_stat 0 vf_left_early)" = 1
else
	info "left the VF before its removal: $(sim_stat 0 vf_left_early) of 1"
fi
wait_for 10 eval '! vf_there 0'
check "$VA is gone" eval '! vf_there 0'
check "nic0's data path is synthetic" sim_path_is 0 synthetic
check "pings a -> b come back without it" ping_ok $NS_A $IP_B

# and gives it back: association 1, then a rescan
sim_set 0 vf_offer 1 2>/dev/null
wait_for 20 eval '[ "$(vf_of 0 | cut -d" " -f1)" = $NS_A ]'
read -r ns_va VA <<< "$(vf_of 0)"
check "nic0's VF is back after the offer, in nic0's namespace ($ns_va/${VA:-none})" \
	test "$ns_va" = $NS_A
wait_for 20 sim_path_is 0 vf
check "nic0's data path is the VF again" sim_path_is 0 vf
check "20 pings from a to b come back" vf_pings
check "over the VF again (nic0's VF sent $(sim_delta 0 vf_tx_packets))" \
	test "$(sim_delta 0 vf_tx_packets)" -ge 20

hv_finish
