#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of scripts/reconfig-time.sh: in one boot, for every driver
# under /opt/drivers (ours, ref), how long traffic stops while one NIC
# changes its channel count, its ring sizes or its MTU.  b pings a every
# RECONF_INTERVAL seconds; each reply is stamped as it arrives; the outage
# of a change is the longest gap between two replies around it, less the
# interval.  Prints one line per measurement:
#   RECONF <driver> <change> <run> <outage ms|refused|down|n/a> <command ms>
# (refused: the command failed; down: no reply came back within 10 s; n/a:
# one channel at most, so no channel change to make)
# "none" is the same measurement with no change: the noise floor.

source /selftests/hv_lib.sh

RUNS=${RECONF_RUNS:-5}
IV=${RECONF_INTERVAL:-0.01}
DRIVERS=${RECONF_DRIVERS:-"ours ref"}
ST=/tmp/reconf

# rc_chan DEV max|cur, rc_ring DEV max|cur rx|tx: from ethtool -l / -g in a
rc_chan() {
	ina ethtool -l "$1" 2>/dev/null | awk -v w="$2" '
		/^Pre-set maximums/ { s = "max" }
		/^Current hardware/ { s = "cur" }
		s == w && $1 == "Combined:" { print $2; exit }'
}
rc_ring() {
	ina ethtool -g "$1" 2>/dev/null | awk -v w="$2" -v k="$3" '
		/^Pre-set maximums/ { s = "max" }
		/^Current hardware/ { s = "cur" }
		s == w && tolower($1) == k ":" { print $2; exit }'
}

# rc_measure DRIVER CHANGE RUN CMD...: ping b -> a, run CMD in a meanwhile
rc_measure() {
	local drv=$1 chg=$2 run=$3 pid t0 t1 rc out
	shift 3
	rm -f $ST.stamps
	# every reply line gets the time it arrived
	inb sh -c "echo \$\$ > $ST.pid; exec ping -i $IV $IP_A" 2>/dev/null |
	while read -r l; do
		case $l in *seq=*) echo "$EPOCHREALTIME" ;; esac
	done > $ST.stamps &
	pid=$!
	sleep 1
	t0=$EPOCHREALTIME
	if [ $# -gt 0 ]; then ina "$@" >/dev/null 2>$ST.err; rc=$?; else rc=0; fi
	t1=$EPOCHREALTIME
	# let traffic come back (up to 10 s), then a second more of replies
	wait_for 10 rc_reply_after "$t1"
	sleep 1
	kill "$(cat $ST.pid)" 2>/dev/null
	wait $pid 2>/dev/null
	if [ $rc != 0 ]; then
		echo "RECONF $drv $chg $run refused $(rc_ms "$t0" "$t1")"
		echo "# $drv $chg: $* failed: $(head -c 200 $ST.err)"
		return 1
	fi
	out=$(awk -v t0="$t0" -v t1="$t1" -v iv="$IV" '
		{ t[NR] = $1 }
		END {
			gap = 0
			for (i = 2; i <= NR; i++)
				if (t[i] >= t0 && t[i - 1] <= t1 + 10 && t[i] - t[i - 1] > gap)
					gap = t[i] - t[i - 1]
			# no reply after the change at all: open-ended
			if (NR == 0 || t[NR] < t1) { print "down"; exit }
			ms = (gap - iv) * 1000
			printf "%.1f\n", ms < 0 ? 0 : ms
		}' $ST.stamps)
	echo "RECONF $drv $chg $run $out $(rc_ms "$t0" "$t1")"
}

rc_reply_after() { [ -s $ST.stamps ] && awk -v t="$1" '$1 > t { f = 1 } END { exit !f }' $ST.stamps; }
rc_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", (b - a) * 1000 }'; }

modprobe hv_vmbus_sim ${HV_SIM_PARAMS:-} || exit 1
for drv in $DRIVERS; do
	[ -f "/opt/drivers/$drv/hv_netvsc.ko" ] || { echo "# $drv: not built"; continue; }
	insmod "/opt/drivers/$drv/hv_netvsc.ko" || exit 1
	for n in 0 1; do wait_for 20 hv_has_dev $n; done
	hv_pair || { echo "# $drv: setup failed"; exit 1; }
	chmax=$(rc_chan "$A" max)
	rx0=$(rc_ring "$A" cur rx)
	tx0=$(rc_ring "$A" cur tx)
	echo "# $drv: channels max '$chmax', rings rx '$rx0' tx '$tx0'"
	rx1=$(( ${rx0:-1024} / 2 / 64 * 64 ))
	tx1=$(( ${tx0:-2} / 2 / 2 * 2 ))
	for r in $(seq "$RUNS"); do
		rc_measure "$drv" none "$r"
		# each run goes one way and the next back, so the state alternates
		if [ $((r % 2)) = 1 ]; then c=1 rx=$rx1 tx=$tx1 m=9000
		else c=${chmax:-1} rx=$rx0 tx=$tx0 m=1500; fi
		if [ "${chmax:-1}" -ge 2 ]; then
			rc_measure "$drv" channels "$r" ethtool -L "$A" combined "$c"
		else
			echo "RECONF $drv channels $r n/a n/a"
		fi
		# the receive maximum shrinks at MTU 9000: small rings go in
		# before the MTU grows, the first ones back after it shrinks
		if [ $((r % 2)) = 1 ]; then
			rc_measure "$drv" rings "$r" ethtool -G "$A" rx "$rx" tx "$tx"
			rc_measure "$drv" mtu "$r" ip link set dev "$A" mtu "$m"
		else
			rc_measure "$drv" mtu "$r" ip link set dev "$A" mtu "$m"
			rc_measure "$drv" rings "$r" ethtool -G "$A" rx "$rx" tx "$tx"
		fi
	done
	echo "# $drv: violations $(hv_violations)"
	hv_unpair
	rmmod hv_netvsc || exit 1
done
echo "RECONF done"
