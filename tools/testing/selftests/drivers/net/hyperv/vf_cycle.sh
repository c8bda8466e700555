#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SR-IOV VFs that come and go under traffic.  Azure revokes nic0's VF and
# offers it again HV_VF_CYCLES times (25) while one TCP connection carries
# a stream a -> b, every byte checked at the end, and pings every 20 ms
# measure the longest silence (reported, not judged).  Then the guest's own PCI core removes the
# VF and a rescan finds it; then the VFs' driver is unloaded and loaded.
# Each time the NIC must fall back to the synthetic path and take the VF
# again.
#
# vm-run-vf: 2

source "$(dirname "$0")/hv_lib.sh"

hv_need_vfs 2
hv_init
hv_pair_checked

CYCLES=${HV_VF_CYCLES:-25}
T=$(mktemp -d)

hv_vfs_up

# The stream: 64 KiB chunks, twenty a second at most, until $T/stop; the
# receiver hashes and counts what arrives
dd if=/dev/urandom of="$T/chunk" bs=65536 count=1 2>/dev/null
mkfifo "$T/hold" "$T/count"
wc -c < "$T/count" > "$T/got_bytes" &
cpid=$!
inb timeout 600 nc -l -p 7301 0<>"$T/hold" | tee "$T/count" |
	sha256sum > "$T/got" &
rpid=$!
wait_for 5 inb sh -c "netstat -ltn | grep -q ':7301 '"
(
	n=0
	while [ ! -e "$T/stop" ]; do
		cat "$T/chunk" || break
		n=$((n + 1))
		echo $n > "$T/sent"
		sleep 0.05
	done
) | ina timeout 600 nc -w 10 $IP_B 7301 &
spid=$!
ina ping -i 0.02 -W 1 $IP_B > "$T/ping" 2>&1 &
ppid=$!
sleep 1

sim_snap 0
ok_cycles=0 left_early=0
r0=$(sim_stat 0 vf_removed)
e0=$(sim_stat 0 vf_left_early)
for i in $(seq "$CYCLES"); do
	sim_set 0 vf_revoke 1 2>/dev/null
	wait_for 10 eval '[ -z "$(hv_vf_in $NS_A 0)" ]'
	sim_set 0 vf_offer 1 2>/dev/null
	if wait_for 30 hv_vfs_paired; then
		ok_cycles=$((ok_cycles + 1))
	else
		info "cycle $i: nic0's VF ${VA:-not there}, data path $(sim_get 0 data_path)"
	fi
done
sleep 1
touch "$T/stop"
wait $spid
src=$?
wait $rpid
wait $cpid
kill $ppid 2>/dev/null
wait $ppid 2>/dev/null

check "$CYCLES revokes and offers: nic0's VF came back paired, on the VF path, $ok_cycles times" \
	test "$ok_cycles" = "$CYCLES"
check "the host removed the VF $CYCLES times ($(( $(sim_stat 0 vf_removed) - r0 )))" \
	test $(( $(sim_stat 0 vf_removed) - r0 )) = "$CYCLES"
left_early=$(( $(sim_stat 0 vf_left_early) - e0 ))
info "the driver left the VF on the withdrawal, before the removal, $left_early times of $CYCLES"
sent=$(cat "$T/sent" 2>/dev/null)
want=$(for _ in $(seq "${sent:-0}"); do cat "$T/chunk"; done | sha256sum)
check "the TCP stream a -> b arrived intact across them ($(cat "$T/got_bytes" 2>/dev/null) bytes of $((${sent:-0} * 65536)); the sender's nc: exit $src)" \
	test "$(cat "$T/got")" = "$want" -a "${sent:-0}" -gt 0
check "and it crossed nic0's VF ($(sim_delta 0 vf_tx_packets) frames) and its synthetic channel ($(sim_delta 0 tx_packets))" \
	test "$(sim_delta 0 vf_tx_packets)" -gt 100 -a "$(sim_delta 0 tx_packets)" -gt 0
# The longest run of pings lost in a row (one every 20 ms), and all the
# pings lost: figures, not a verdict (the guest's clock is emulated)
read -r run lost got_p <<< "$(sed -n 's/.*seq=\([0-9]*\) .*/\1/p' "$T/ping" |
	sort -n -u | awk '
	NR > 1 && $1 - p - 1 > g { g = $1 - p - 1 }
	NR == 1 { f = $1 } { p = $1; r++ }
	END { printf "%d %d %d\n", g, (r ? p - f + 1 - r : 0), r }')"
check "pings a -> b ran all along ($got_p came back)" test "${got_p:-0}" -gt 100
info "VF gap over $CYCLES revokes: at most $run pings in a row lost (one every 20 ms: about $(((run + 1) * 20)) ms of silence); $lost lost, $got_p came back"

# The guest's PCI core removes the VF, with no word from the host
wait_for 20 hv_vfs_paired
addr=$(ina readlink "/sys/class/net/$VA/device")
addr=${addr##*/}
sim_snap 0
echo 1 > "/sys/bus/pci/devices/$addr/remove"
wait_for 10 eval '[ -z "$(hv_vf_in $NS_A 0)" ]'
check "PCI remove of $addr: nic0's VF is gone" test -z "$(hv_vf_in $NS_A 0)"
wait_for 10 sim_path_is 0 synthetic
check "nic0's data path is synthetic" sim_path_is 0 synthetic
check "pings a -> b come back over the synthetic channel" \
	eval 'ping_ok $NS_A $IP_B && [ "$(sim_delta 0 tx_packets)" -ge 3 ]'
echo 1 > /sys/bus/pci/rescan
check "a PCI rescan finds it and nic0 takes it again" wait_for 30 hv_vfs_paired
check "pings a -> b come back over the VF" hv_over_vf

# The VFs' driver goes and comes back
check "rmmod e1000e" modprobe -r e1000e
wait_for 10 eval 'sim_path_is 0 synthetic && sim_path_is 1 synthetic'
check "both data paths are synthetic" \
	eval 'sim_path_is 0 synthetic && sim_path_is 1 synthetic'
check "pings a -> b come back" ping_ok $NS_A $IP_B
check "modprobe e1000e" modprobe e1000e
check "both VFs paired again, both data paths on them" wait_for 30 hv_vfs_paired
check "pings a -> b come back over the VF" hv_over_vf

rm -rf "$T"
hv_finish
