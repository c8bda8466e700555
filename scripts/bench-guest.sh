#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of `make bench`: in one boot, the same measurements on each
# configuration in turn.  Prints one line per measurement:
#   BENCH <config> <metric> <run> <value>
# Configurations: every driver under /opt/drivers (ours, ref) on two
# simulator NICs in two namespaces, then a veth pair (the software ceiling);
# with VFs in the guest (vm-run --vf 2), each driver again with the NICs'
# VFs enslaved (ours-vf, ref-vf), which adds the traffic gap of a revoke.
# The configurations take turns run by run (ours, ref, veth, ours, ...), so
# that a change in the load on the machine over the minutes the benchmark
# takes weighs on all of them alike, not on whichever ran at the time.

source /selftests/hv_lib.sh

T=${BENCH_TIME:-4}
RUNS=${BENCH_RUNS:-3}
CONFIGS=${BENCH_CONFIGS:-"ours ref veth"}
CHANNELS=${BENCH_CHANNELS:-}

# json_num KEY OBJECT: first numeric KEY inside the OBJECT section of
# iperf3's JSON (good enough for the fixed layout iperf3 3.12 prints)
json_num() {
	awk -v obj="\"$2\"" -v key="\"$1\"" '
		index($0, "\"end\"") { end = 1 }
		end && index($0, obj) { on = 1 }
		on && index($0, key) { gsub(/[^0-9.e+-]/, "", $2); print $2; exit }
	' FS=:
}

measure() {	# measure CONFIG SERVER_IP SERVER_DEV RUN
	local cfg=$1 ip=$2 dev=$3 r=$4 out v
		ina iperf3 -s -1 -D -p 5201 >/dev/null 2>&1; sleep 0.3
		out=$(inb iperf3 -c "$ip" -p 5201 -t "$T" -J 2>/dev/null)
		v=$(echo "$out" | json_num bits_per_second sum_received)
		echo "BENCH $cfg tcp1_gbps $r $(awk -v b="${v:-0}" 'BEGIN { printf "%.3f", b / 1e9 }')"

		ina iperf3 -s -1 -D -p 5201 >/dev/null 2>&1; sleep 0.3
		out=$(inb iperf3 -c "$ip" -p 5201 -t "$T" -P 4 -J 2>/dev/null)
		v=$(echo "$out" | json_num bits_per_second sum_received)
		echo "BENCH $cfg tcp4_gbps $r $(awk -v b="${v:-0}" 'BEGIN { printf "%.3f", b / 1e9 }')"

		# UDP, 64-byte payloads, as fast as the sender goes: packets per
		# second that reached the receiving interface (its own counter,
		# read the same way for every configuration)
		ina iperf3 -s -1 -D -p 5201 >/dev/null 2>&1; sleep 0.3
		local rx0 rx1
		rx0=$(ina cat "/sys/class/net/$dev/statistics/rx_packets")
		inb iperf3 -c "$ip" -p 5201 -u -l 64 -b 0 -t "$T" >/dev/null 2>&1
		rx1=$(ina cat "/sys/class/net/$dev/statistics/rx_packets")
		echo "BENCH $cfg udp64_kpps $r $(awk -v a="$rx0" -v b="$rx1" -v s="$T" \
			'BEGIN { printf "%.1f", (b - a) / s / 1000 }')"
}

# vf_gap CONFIG RUN: pings a -> b every 10 ms while the host revokes
# nic0's VF and offers it again; the longest run of them lost, in ms
vf_gap() {
	local cfg=$1 r=$2 p run
	ina ping -i 0.01 -W 1 $IP_B > /tmp/gap.ping 2>&1 &
	p=$!
	sleep 1
	sim_set 0 vf_revoke 1 2>/dev/null
	wait_for 10 eval '[ -z "$(hv_vf_in a 0)" ]'
	sim_set 0 vf_offer 1 2>/dev/null
	wait_for 30 hv_vfs_paired
	sleep 1
	kill $p
	wait $p 2>/dev/null
	run=$(sed -n 's/.*seq=\([0-9]*\) .*/\1/p' /tmp/gap.ping | sort -n -u |
		awk 'NR > 1 && $1 - p - 1 > g { g = $1 - p - 1 } { p = $1 }
		     END { print g + 0 }')
	echo "BENCH $cfg vfgap_ms $r $((run * 10))"
}

# The simulator counts protocol violations per NIC since it was loaded:
# each driver's are the increase over its own runs
declare -A viol=()
modprobe hv_vmbus_sim ${HV_SIM_PARAMS:-} || exit 1
for r in $(seq "$RUNS"); do
for cfg in $CONFIGS; do
	case $cfg in
	veth)
		ip netns add a; ip netns add b
		ip link add va netns a type veth peer name vb netns b
		ina ip link set lo up; inb ip link set lo up
		ina ip addr add $IP_A/24 dev va; inb ip addr add $IP_B/24 dev vb
		ina ip link set va up; inb ip link set vb up
		sleep 1
		measure veth $IP_A va "$r"
		hv_unpair
		;;
	*)
		drv=${cfg%-vf}
		[ -f "/opt/drivers/$drv/hv_netvsc.ko" ] || continue
		[ "$drv" = "$cfg" ] || [ "${HV_VFS:-0}" -ge 2 ] || continue
		v0=$(hv_violations 2>/dev/null)
		insmod "/opt/drivers/$drv/hv_netvsc.ko" || exit 1
		for n in 0 1; do wait_for 20 hv_has_dev $n; done
		hv_pair || { echo "BENCH $cfg setup failed"; exit 1; }
		if [ -n "$CHANNELS" ]; then
			ina ethtool -L "$A" combined "$CHANNELS"
			inb ethtool -L "$B" combined "$CHANNELS"
			sleep 1
		fi
		if [ "$drv" != "$cfg" ]; then
			modprobe e1000e
			wait_for 30 hv_vfs_paired ||
				{ echo "BENCH $cfg: the VFs did not pair"; exit 1; }
		fi
		measure "$cfg" $IP_A "$A" "$r"
		[ "$drv" = "$cfg" ] || vf_gap "$cfg" "$r"
		hv_unpair
		rmmod hv_netvsc || exit 1
		[ "$drv" = "$cfg" ] || modprobe -r e1000e
		viol[$cfg]=$(( ${viol[$cfg]:-0} + $(hv_violations) - v0 ))
		;;
	esac
done
done
for cfg in "${!viol[@]}"; do
	echo "# $cfg: violations ${viol[$cfg]}"
done
echo "BENCH done"
