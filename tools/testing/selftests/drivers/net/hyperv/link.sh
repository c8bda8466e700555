#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Link: the host's media indications drive the guest's carrier.  Link down
# on the simulator gives carrier off and operstate down (and no traffic);
# link up brings carrier, operstate and traffic back; a network-change
# indication bounces the carrier (down, then up again) and traffic resumes;
# a link-speed indication changes the speed `ethtool` reports (a speed of
# 0 reads as unknown).

source "$(dirname "$0")/hv_lib.sh"

hv_init

hv_pair_checked

carrier_is() { [ "$(ns_cat $NS_A "$A" carrier)" = "$1" ]; }
operstate_is() { [ "$(ns_cat $NS_A "$A" operstate)" = "$1" ]; }

# --- link down
down0=$(ns_cat $NS_A "$A" carrier_down_count)
sim_set 0 link 0
check "simulator link 0: carrier 0" wait_for 10 carrier_is 0
check "simulator link 0: operstate down" wait_for 10 operstate_is down
expect_eq "simulator link 0: carrier_down_count + 1" $((down0 + 1)) \
	"$(ns_cat $NS_A "$A" carrier_down_count)"
check "simulator link 0: no ping a -> b" ping_fails $NS_A $IP_B

# --- link up
up0=$(ns_cat $NS_A "$A" carrier_up_count)
sim_set 0 link 1
check "simulator link 1: carrier 1" wait_for 10 carrier_is 1
check "simulator link 1: operstate up" wait_for 10 operstate_is up
expect_eq "simulator link 1: carrier_up_count + 1" $((up0 + 1)) \
	"$(ns_cat $NS_A "$A" carrier_up_count)"
check "simulator link 1: pings a -> b and b -> a" \
	eval 'wait_for 10 ping_ok $NS_A $IP_B && ping_ok $NS_B $IP_A'

# --- network change: the carrier goes down and comes back
bounced() {
	[ "$(ns_cat $NS_A "$A" carrier_changes)" -ge $((changes0 + 2)) ] &&
		carrier_is 1
}
changes0=$(ns_cat $NS_A "$A" carrier_changes)
down0=$(ns_cat $NS_A "$A" carrier_down_count)
up0=$(ns_cat $NS_A "$A" carrier_up_count)
sim_set 0 network_change 1
check "network change: carrier_changes grew by >= 2 and carrier is back" \
	wait_for 15 bounced
info "carrier_changes $changes0 -> $(ns_cat $NS_A "$A" carrier_changes)"
check "network change: carrier went down (carrier_down_count grew)" \
	test "$(ns_cat $NS_A "$A" carrier_down_count)" -gt "$down0"
check "network change: carrier came up (carrier_up_count grew)" \
	test "$(ns_cat $NS_A "$A" carrier_up_count)" -gt "$up0"
check "network change: operstate up" wait_for 10 operstate_is up
check "network change: pings a -> b and b -> a" \
	eval 'wait_for 10 ping_ok $NS_A $IP_B && ping_ok $NS_B $IP_A'

# --- link speed
speed_is() {
	[ "$(ip netns exec $NS_A ethtool "$A" | awk '/Speed:/ { print $2 }')" = "$1" ]
}
speed0=$(sim_get 0 link_speed)
check "ethtool Speed is the host's ${speed0}Mb/s" speed_is "${speed0}Mb/s"
sim_set 0 link_speed 25000
check "link_speed 25000: ethtool Speed 25000Mb/s" wait_for 5 speed_is 25000Mb/s
sim_set 0 link_speed 10
check "link_speed 10: ethtool Speed 10Mb/s" wait_for 5 speed_is 10Mb/s
# A speed of 0 tells nothing: it reads as unknown (SPEED_UNKNOWN, -1 in
# sysfs), not as 0 Mb/s.  ethtool prints both as Unknown!: sysfs tells.
sysfs_speed_is() { [ "$(ns_cat $NS_A "$A" speed)" = "$1" ]; }
sim_set 0 link_speed 0
check "link_speed 0: ethtool Speed Unknown!" wait_for 5 speed_is Unknown!
hv_pending speed-unknown ||
	check "link_speed 0: sysfs speed -1 (unknown), not 0" wait_for 5 sysfs_speed_is -1
sim_set 0 link_speed "$speed0"
check "link_speed $speed0: ethtool Speed ${speed0}Mb/s" wait_for 5 speed_is "${speed0}Mb/s"
check "after the speed changes: carrier 1, ping a -> b" \
	eval 'carrier_is 1 && ping_ok $NS_A $IP_B'

hv_unpair
hv_finish
