#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The driver's deferred work (the receive filter and the carrier) needs
# RTNL.  While someone else holds RTNL it must wait for it, not run again
# and again: each run of the work must answer a request for it.  Counted
# with the function tracer (no timing): runs of nvsc_rx_mode_work against
# calls of nvsc_set_rx_mode, and runs of nvsc_link_work against host
# indications (nvsc_status) while RTNL is kept busy by interface changes
# and MTU changes (each reopens a channel under RTNL).  Our driver only:
# the traced functions are ours.

source "$(dirname "$0")/hv_lib.sh"

[ "$HV_DRIVER" = ours ] || {
	echo "# SKIP $HV_TEST: it traces functions of our driver"
	exit $KSFT_SKIP
}
hv_init

T=/sys/kernel/debug/tracing
[ -w $T/set_ftrace_filter ] || {
	skip "no function tracer"
	hv_finish
}

# dw_count FUNCTION: calls of FUNCTION in the trace
dw_count() { grep -c " $1 <-" $T/trace; }

dw_trace_start() {
	echo 0 > $T/tracing_on
	echo nop > $T/current_tracer
	echo "$*" > $T/set_ftrace_filter
	echo > $T/trace
	echo function > $T/current_tracer
	echo 1 > $T/tracing_on
}

# Stops tracing; the trace stays to be read (a change of tracer clears it)
dw_trace_stop() { echo 0 > $T/tracing_on; }

A=$(hv_dev 0)
B=$(hv_dev 1)
hv_carrier_init() { [ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" = 1 ]; }

# --- the receive filter: up, multicast addresses, promiscuous, down
dw_trace_start nvsc_set_rx_mode nvsc_rx_mode_work
for i in 1 2 3; do
	ip link set "$A" up
	ip maddr add 33:33:00:00:00:0$i dev "$A"
	ip link set "$A" promisc on
	ip link set "$B" up
	ip link set "$B" mtu 4000
	ip link set "$A" promisc off
	ip maddr del 33:33:00:00:00:0$i dev "$A"
	ip link set "$B" mtu 1500
	ip link set "$B" down
	ip link set "$A" down
done
sleep 1
dw_trace_stop
calls=$(dw_count nvsc_set_rx_mode)
runs=$(dw_count nvsc_rx_mode_work)
info "nvsc_set_rx_mode: $calls calls; nvsc_rx_mode_work: $runs runs"
if [ "$calls" -ge 1 ] && [ "$runs" -le "$calls" ]; then
	ok "filter work: no more runs ($runs) than requests ($calls)"
else
	fail "filter work: no more runs ($runs) than requests ($calls)"
fi

# --- the carrier: host indications while RTNL is busy with MTU changes
ip link set "$A" up
ip link set "$B" up
wait_for 10 hv_carrier_init "$A"
dw_trace_start nvsc_status nvsc_link_work
for i in 1 2 3; do
	ip link set "$B" mtu 4000 &
	sim_set 0 network_change 1
	sim_set 0 link 0
	sim_set 0 link 1
	wait
	ip link set "$B" mtu 1500 &
	sim_set 0 network_change 1
	wait
done
sleep 1
dw_trace_stop
calls=$(dw_count nvsc_status)
runs=$(dw_count nvsc_link_work)
info "nvsc_status: $calls host indications; nvsc_link_work: $runs runs"
# Each indication asks for one run, a network change for one more (the
# carrier comes back a moment after it went down)
if [ "$calls" -ge 1 ] && [ "$runs" -le $((2 * calls)) ]; then
	ok "link work: at most two runs per host indication ($runs for $calls)"
else
	fail "link work: at most two runs per host indication ($runs for $calls)"
fi
check "carrier back after the indications" wait_for 10 hv_carrier_init "$A"

ip link set "$A" down
ip link set "$B" down
echo nop > $T/current_tracer
echo > $T/set_ftrace_filter
check "rmmod" hv_unload
hv_finish
