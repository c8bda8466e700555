#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The guest half of `make demo`: a scripted tour of the driver on the
# simulated Hyper-V host.  Every command is printed before its output.

source /selftests/hv_lib.sh

run() {
	printf '\n\033[1m$ %s\033[0m\n' "$*"
	eval "$@"
}

say() {
	printf '\n\033[36m## %s\033[0m\n' "$*"
}

say "The simulated Hyper-V host offers two synthetic NICs; load the driver ($HV_DRIVER)"
run modprobe hv_netvsc
wait_for 20 hv_has_dev 0; wait_for 20 hv_has_dev 1
run cat $SIM/nic0/config
run 'dmesg | grep -i -E "hv_netvsc|hv_vmbus_sim" | tail -n 6'
A=$(hv_dev 0); B=$(hv_dev 1)
run ethtool -i "$A"
run "ethtool -k $A | grep -E '^(rx-checksumming|tx-checksumming|scatter-gather|tcp-segmentation-offload|rx-vlan-offload|tx-vlan-offload|receive-hashing):'"
run ethtool -l "$A"
run ethtool -g "$A"

say "What the host saw during bring-up"
run "cat $SIM/nic0/nvsp_version $SIM/nic0/ndis_mtu $SIM/nic0/recv_sections $SIM/nic0/send_sections"
run cat $SIM/nic0/offload_params

say "Two namespaces, one NIC each, on the simulator's vSwitch"
hv_pair
run ip netns exec a ip -br addr show dev "$A"
run ip netns exec b ip -br addr show dev "$B"
run ip netns exec a ping -c 3 -i 0.3 $IP_B
run ip netns exec a ping -c 2 -s 4000 $IP_B
run "ip netns exec b ping6 -c 2 $IP6_A 2>/dev/null || ip netns exec b ping -6 -c 2 $IP6_A"

say "TCP: the guest hands 64 KiB super-packets to the host (LSO), which cuts them"
ina iperf3 -s -1 -D -p 5201 >/dev/null 2>&1; sleep 0.5
run "ip netns exec b iperf3 -c $IP_A -t 3 | tail -n 4"
run "grep -E '^(tx_packets|rx_packets|lso_packets|lso_segments|csum_computed|csum_verified|hash_rx) ' $SIM/nic1/stats"

say "The host takes the link down, then up; then it reports a network change"
run "echo 0 > $SIM/nic0/link; sleep 1"
run ip netns exec a ip -br link show dev "$A"
run "echo 1 > $SIM/nic0/link; sleep 1"
run ip netns exec a ip -br link show dev "$A"
run "echo 25000 > $SIM/nic0/link_speed; sleep 0.5; ip netns exec a ethtool $A | grep Speed"

say "Channels and RSS"
run ip netns exec a ethtool -L "$A" combined 1
run cat $SIM/nic0/open_channels
run ip netns exec a ethtool -L "$A" combined 2
run cat $SIM/nic0/open_channels
run "ip netns exec a ethtool -x $A | head -n 8"
run ip netns exec a ethtool -n "$A" rx-flow-hash tcp4

say "Promiscuous mode reaches the host's packet filter"
run cat $SIM/nic0/filter
run ip netns exec a ip link set "$A" promisc on
run cat $SIM/nic0/filter
run ip netns exec a ip link set "$A" promisc off

say "Driver statistics and the simulator's verdict on the guest"
run "ip netns exec a ethtool -S $A | head -n 20"
run cat $SIM/nic0/violations $SIM/nic1/violations

say "Unload"
hv_unpair
run rmmod hv_netvsc
run 'dmesg | grep -c -E "WARNING|BUG|Oops" || true'
