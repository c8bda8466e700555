#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Probe: every NIC the simulator offers gets a netdev bound to hv_netvsc,
# with the simulator's MAC and carrier once up; the driver unloads and
# reloads cleanly, ten times over, and also while traffic runs.

source "$(dirname "$0")/hv_lib.sh"

hv_init

probe_all() {
	local n dev
	for n in $(sim_nics); do
		dev=$(hv_dev "$n")
		[ -n "$dev" ] || { info "nic$n: no netdev"; return 1; }
		[ "$(ethtool -i "$dev" | awk '/^driver:/ { print $2 }')" = hv_netvsc ] ||
			{ info "$dev: ethtool -i does not say hv_netvsc"; return 1; }
		[ "$(cat "/sys/class/net/$dev/address")" = "$(sim_get "$n" mac)" ] ||
			{ info "$dev: MAC differs from the simulator's"; return 1; }
		ip link set "$dev" up || return 1
		wait_for 10 hv_carrier_here "$dev" ||
			{ info "$dev: no carrier"; return 1; }
	done
}

hv_carrier_here() {
	[ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" = 1 ]
}

nics=$(sim_nics | wc -l)
[ "$nics" -ge 2 ] && ok "the simulator offers $nics NICs" ||
	fail "the simulator offers $nics NICs"
check "each NIC: netdev, driver hv_netvsc, MAC, carrier up" probe_all
expect_eq "NVSP version negotiated" 0x60001 "$(sim_get 0 nvsp_version)"

reload_ok=1
for i in $(seq 10); do
	if ! hv_unload; then
		info "rmmod failed on round $i"; reload_ok=0; break
	fi
	for n in $(sim_nics); do
		[ -z "$(hv_dev "$n")" ] || { info "nic$n kept a netdev"; reload_ok=0; }
		[ "$(sim_get "$n" open_channels)" = 0 ] ||
			{ info "nic$n: channels still open after rmmod"; reload_ok=0; }
	done
	hv_load || { info "reload failed on round $i"; reload_ok=0; break; }
	probe_all || { reload_ok=0; break; }
done
expect_eq "unload and reload 10 times" 1 "$reload_ok"

# Unload while TCP and UDP streams run both ways, then load again
under_traffic() {
	hv_pair || return 1
	ina iperf3 -s -D -p 5301 >/dev/null 2>&1
	inb iperf3 -s -D -p 5302 >/dev/null 2>&1
	sleep 0.5
	inb timeout 20 iperf3 -c $IP_A -p 5301 -t 15 >/dev/null 2>&1 &
	ina timeout 20 iperf3 -c $IP_B -p 5302 -u -b 50M -t 15 >/dev/null 2>&1 &
	sleep 2
	hv_unload || { info "rmmod under traffic failed"; return 1; }
	killall iperf3 2>/dev/null
	wait
	hv_unpair
	hv_load || { info "reload after rmmod under traffic failed"; return 1; }
	probe_all
}
check "rmmod under traffic, then modprobe: every NIC back with carrier" under_traffic

hv_finish
