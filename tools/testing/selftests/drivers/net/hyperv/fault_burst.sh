#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Faults burst_at_init and burst_at_halt: the host sends frames while the
# guest brings the NIC up (at RNDIS init, before the netdev is registered)
# and while it takes it down (at RNDIS halt; our driver halts after
# unregister_netdev).  No frame may reach the stack while the netdev is not
# registered: counted with the function tracer, no call of
# napi_gro_receive() comes before the first register_netdevice() (NIC 0
# probes first) or after NIC 0's unregister_netdevice_queue() (under
# unregister_netdev() or unregister_netdevice()) at unbind (NIC 1 is
# down and idle); and there is no report in the kernel log.

source "$(dirname "$0")/hv_lib.sh"

F=$SIM/nic0/faults
N=8

if ! grep -q '^hv_vmbus_sim ' /proc/modules; then
	# shellcheck disable=SC2086
	modprobe hv_vmbus_sim ${HV_SIM_PARAMS:-} ||
		{ fail "load the simulator"; hv_finish; }
fi
T=/sys/kernel/debug/tracing

# bt_start FUNCTION...: trace calls of these functions from now on
bt_start() {
	[ -w $T/set_ftrace_filter ] || return 1
	echo 0 > $T/tracing_on
	echo "$*" > $T/set_ftrace_filter || return 1
	echo > $T/trace
	echo function > $T/current_tracer
	echo 1 > $T/tracing_on
}

# bt_after FIRST: napi_gro_receive calls traced after the first call of
# FIRST ("" for all of them)
bt_after() {
	awk -v f="$1" 'f == "" || $0 ~ " " f " <-" { u = 1 }
		u && / napi_gro_receive <-/ { n++ } END { print n + 0 }' $T/trace
}

bt_stop() {
	echo 0 > $T/tracing_on
	echo nop > $T/current_tracer
	echo > $T/set_ftrace_filter
}

echo $N > "$F/burst_at_init"
traced=0
bt_start register_netdevice napi_gro_receive && traced=1
hv_init
echo 0 > $T/tracing_on

expect_eq "bring-up: the host sent $N frames at RNDIS init" \
	"$N 0" "$(sim_stat 0 burst_frames) $(cat "$F/burst_at_init")"
A=$(hv_dev 0)
info "after bring-up: rx_packets $(cat "/sys/class/net/$A/statistics/rx_packets")" \
	"rx_dropped $(cat "/sys/class/net/$A/statistics/rx_dropped")"
if [ $traced = 1 ]; then
	all=$(bt_after "")
	before=$((all - $(bt_after register_netdevice)))
	info "trace: $all napi_gro_receive, $before before the first register_netdevice"
	if ! hv_pending init; then
		expect_eq "bring-up: no frame handed to the stack before register_netdevice" \
			0 "$before"
	fi
else
	skip "bring-up: no function tracer"
fi
bt_stop

dev=$(sim_get 0 device)
echo $N > "$F/burst_at_halt"
traced=0
bt_start unregister_netdevice_queue napi_gro_receive && traced=1
check "unbind NIC 0" eval "echo $dev > /sys/bus/vmbus/drivers/hv_netvsc/unbind"
sleep 1
echo 0 > $T/tracing_on
expect_eq "removal: the host sent $N frames at RNDIS halt" \
	"$((2 * N)) 0" "$(sim_stat 0 burst_frames) $(cat "$F/burst_at_halt")"
if [ $traced = 1 ]; then
	after=$(bt_after unregister_netdevice_queue)
	info "trace: $(grep -c ' unregister_netdevice_queue <-' $T/trace) unregister_netdevice_queue, $after napi_gro_receive after it"
	hv_pending halt ||
		expect_eq "removal: no frame handed to the stack after unregister_netdev" 0 "$after"
else
	skip "removal: no function tracer"
fi
bt_stop

check "bind NIC 0 again" eval "echo $dev > /sys/bus/vmbus/drivers/hv_netvsc/bind"
check "NIC 0 has a netdev again" wait_for 20 hv_has_dev 0
check "and passes traffic" eval 'hv_pair && ping_ok $NS_A $IP_B && ping_ok $NS_B $IP_A'
hv_unpair
check "rmmod" hv_unload
hv_finish
