#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# How long traffic stops while the driver reconfigures: b pings a every
# 10 ms while a runs ethtool -L, ethtool -G and MTU changes; each line
# gives the command's duration and the pings lost (x 10 ms).  Runs in the
# guest:
#
#     scripts/vm-run --driver ours --smp 4 --exec scripts/measure-reconfig-stop.sh
#     scripts/vm-run --driver ref --smp 4 --exec scripts/measure-reconfig-stop.sh
#
# Under TCG the numbers are rough: ping itself may not keep its pace.

cd /selftests
source ./hv_lib.sh
HV_TEST=measure
hv_load queues=4 || { echo "load failed"; exit 1; }
hv_pair || { echo "pair failed"; exit 1; }
echo "# driver $HV_DRIVER, CPUs $(nproc)"
ina ethtool -l "$A"
ina ethtool -S "$A" | grep -c queue_
stop() {
	local what=$1 rx
	shift
	ip netns exec b ping -q -i 0.01 -c 600 -W 1 $IP_A > /tmp/p 2>&1 &
	local pid=$!
	sleep 1
	local t0=$(awk "{ print int(\$1 * 100) }" /proc/uptime)
	ip netns exec a "$@" || echo "# $what failed"
	local t1=$(awk "{ print int(\$1 * 100) }" /proc/uptime)
	wait $pid
	rx=$(awk '/packets transmitted/ { print $4 }' /tmp/p)
	tx=$(awk '/packets transmitted/ { print $1 }' /tmp/p)
	echo "RESULT $what: command $(( (t1 - t0) * 10 )) ms, pings lost $((tx - rx)) of $tx (~$(( (tx - rx) * 10 )) ms)"
}
stop "-L combined 1" ethtool -L "$A" combined 1
stop "-L combined 4" ethtool -L "$A" combined 4
stop "-G rx 2048 tx 256" ethtool -G "$A" rx 2048 tx 256
stop "-G back" ethtool -G "$A" rx 9709 tx 170
stop "mtu 9000" ip link set dev "$A" mtu 9000
stop "mtu 1500" ip link set dev "$A" mtu 1500
ina ethtool -l "$A"
echo "# violations $(hv_violations)"
