#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Rings: `ethtool -G rx N tx M` resizes the receive and send buffers.  For
# small and large sizes within the maxima `ethtool -g` reports, -g reads the
# sizes back, the simulator's recv_sections and send_sections show the
# buffers the driver handed to the host, and traffic crosses after each
# change.  Sizes beyond the maxima are refused and change nothing.
#
# The sizes are counts of sections (receive: the host's section size, 1728
# bytes at MTU 1500; send: 6144 bytes).  The reference driver rounds a
# buffer up to whole pages, so a count whose buffer is not page aligned may
# read back larger (floor(roundup(N * size, 4096) / size)); the counts used
# here are multiples of 64 (receive) and of 2 (send), which are page aligned
# and read back exactly.  At MTU 9000 a section is larger than a page, so
# every count reads back exactly.

source "$(dirname "$0")/hv_lib.sh"

hv_init

# rg_get NS DEV max|cur rx|tx: a value `ethtool -g` reports
rg_get() {
	ip netns exec "$1" ethtool -g "$2" 2>/dev/null | awk -v w="$3" -v k="$4" '
		/^Pre-set maximums/ { s = "max" }
		/^Current hardware/ { s = "cur" }
		s == w && tolower($1) == k ":" { print $2; exit }'
}

# rg_tcp NS_SRC NS_DST DST_IP PORT: 256 KiB over TCP arrive intact
rg_tcp() { transfer_port_ok "$1" "$2" "$3" $((256 << 10)) "$4"; }

# rg_traffic: ping both ways, then TCP each way
rg_traffic() {
	wait_for 10 hv_carrier $NS_A "$A" || { info "no carrier"; return 1; }
	wait_for 10 ina ping -c 1 -W 1 $IP_B >/dev/null
	ping_ok $NS_A $IP_B || { info "ping a -> b failed"; return 1; }
	ping_ok $NS_B $IP_A || { info "ping b -> a failed"; return 1; }
	rg_tcp $NS_A $NS_B $IP_B 7201 || return 1
	rg_tcp $NS_B $NS_A $IP_A 7202 || return 1
}

hv_pair || { fail "set up the pair of NICs"; hv_finish; }

rx_max=$(rg_get $NS_A "$A" max rx)
tx_max=$(rg_get $NS_A "$A" max tx)
rx_cur=$(rg_get $NS_A "$A" cur rx)
tx_cur=$(rg_get $NS_A "$A" cur tx)
info "ethtool -g: maximum rx $rx_max tx $tx_max, current rx $rx_cur tx $tx_cur"
if [ -z "$rx_max" ] || [ -z "$tx_max" ] || [ "$rx_max" -lt 128 ] ||
   [ "$tx_max" -lt 16 ]; then
	fail "ethtool -g reports usable maxima (rx '$rx_max', tx '$tx_max')"
	hv_unpair
	hv_finish
fi
ok "ethtool -g reports the maxima (rx $rx_max, tx $tx_max)"
expect_eq "the simulator's sections match what -g reports at probe" \
	"$rx_cur $tx_cur" \
	"$(cut -d' ' -f2 "$SIM/nic0/recv_sections") $(cut -d' ' -f2 "$SIM/nic0/send_sections")"
rsec=$(cut -d' ' -f1 "$SIM/nic0/recv_sections")
ssec=$(cut -d' ' -f1 "$SIM/nic0/send_sections")
expect_eq "send section size is 6144" 6144 "$ssec"

# rx: small, medium, large, the largest multiple of 64 within the maximum
rx_top=$(( rx_max / 64 * 64 ))
tx_top=$(( tx_max / 2 * 2 ))
for pair in "64 16" "1024 512" "$(( rx_top / 2 / 64 * 64 )) $(( tx_top / 2 / 2 * 2 ))" \
	    "$rx_top $tx_top" "$rx_cur $tx_cur"; do
	set -- $pair
	rx=$1 tx=$2
	if ! ip netns exec $NS_A ethtool -G "$A" rx "$rx" tx "$tx"; then
		fail "ethtool -G rx $rx tx $tx accepted"
		continue
	fi
	ok "ethtool -G rx $rx tx $tx accepted"
	expect_eq "rx $rx tx $tx: ethtool -g reads it back" "$rx $tx" \
		"$(rg_get $NS_A "$A" cur rx) $(rg_get $NS_A "$A" cur tx)"
	expect_eq "rx $rx tx $tx: the simulator's recv_sections and send_sections follow" \
		"$rsec $rx / $ssec $tx" \
		"$(cat "$SIM/nic0/recv_sections") / $(cat "$SIM/nic0/send_sections")"
	check "rx $rx tx $tx: ping both ways and TCP each way" rg_traffic
done

# Beyond the maxima: refused, nothing changes
want="$(rg_get $NS_A "$A" cur rx) $(rg_get $NS_A "$A" cur tx)"
sims="$(cat "$SIM/nic0/recv_sections") / $(cat "$SIM/nic0/send_sections")"
for arg in "rx $((rx_max + 1))" "tx $((tx_max + 1))"; do
	if ip netns exec $NS_A ethtool -G "$A" $arg 2>/dev/null; then
		fail "ethtool -G $arg (beyond the maximum) refused"
	else
		ok "ethtool -G $arg (beyond the maximum) refused"
	fi
	expect_eq "ethtool -G $arg refused: sizes unchanged (-g and simulator)" \
		"$want | $sims" \
		"$(rg_get $NS_A "$A" cur rx) $(rg_get $NS_A "$A" cur tx) | $(cat "$SIM/nic0/recv_sections") / $(cat "$SIM/nic0/send_sections")"
done
check "traffic after the refused changes" rg_traffic

# Rings and the MTU.  The simulator sizes its receive sections by the MTU
# (9232 bytes at MTU 9000), so a count is only kept if the driver sizes the
# buffer by the host's section at the new MTU.
rg_rx_is() {
	[ "$(rg_get $NS_A "$A" cur rx)" = "$1" ] &&
		[ "$(cut -d' ' -f2 "$SIM/nic0/recv_sections")" = "$1" ]
}
rg_rx_now() {
	echo "-g $(rg_get $NS_A "$A" cur rx), simulator $(cat "$SIM/nic0/recv_sections")"
}
tx=$(rg_get $NS_A "$A" cur tx)
if ina ethtool -G "$A" rx 512 tx "$tx" &&
   ina ip link set dev "$A" mtu 9000 && inb ip link set dev "$B" mtu 9000; then
	ok "MTU 9000 after ethtool -G rx 512"
	if ! hv_pending mtu-kept; then
		if rg_rx_is 512; then
			ok "the MTU change keeps rx 512 ($(rg_rx_now))"
		else
			fail "the MTU change keeps rx 512 ($(rg_rx_now))"
		fi
	fi
	rx9_max=$(rg_get $NS_A "$A" max rx)
	rsec9=$(cut -d' ' -f1 "$SIM/nic0/recv_sections")
	info "MTU 9000: host sections of $rsec9 bytes, -g maximum rx $rx9_max"
	check "MTU 9000: the maximum follows the section size (at most 31 MiB)" \
		test $(( rx9_max * rsec9 )) -le $((31 << 20)) -a "$rsec9" -gt 9000
	for rx in 64 $(( rx9_max / 2 )) "$rx9_max"; do
		if ! ina ethtool -G "$A" rx "$rx" tx "$tx"; then
			fail "MTU 9000: ethtool -G rx $rx accepted"
			continue
		fi
		if rg_rx_is "$rx"; then
			ok "MTU 9000: rx $rx reads back ($(rg_rx_now))"
		else
			fail "MTU 9000: rx $rx reads back ($(rg_rx_now))"
		fi
		check "MTU 9000, rx $rx: ping both ways and TCP each way" rg_traffic
	done
	ina ethtool -G "$A" rx 512 tx "$tx"
	if ina ip link set dev "$A" mtu 1500 && inb ip link set dev "$B" mtu 1500; then
		ok "MTU back to 1500"
		if ! hv_pending mtu-kept; then
			if rg_rx_is 512; then
				ok "MTU back to 1500 keeps rx 512 ($(rg_rx_now))"
			else
				fail "MTU back to 1500 keeps rx 512 ($(rg_rx_now))"
			fi
		fi
	else
		fail "MTU back to 1500"
	fi
	check "MTU 1500 again: ping both ways and TCP each way" rg_traffic
else
	fail "MTU 9000 after ethtool -G rx 512"
fi

hv_unpair
hv_finish
