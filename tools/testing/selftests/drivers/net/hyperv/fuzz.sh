#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz: the simulator's seeded fuzzer (nic<N>/fuzz/) mutates one host
# message in HV_FUZZ_RATE (default 40; 4 when the driver under test cannot
# take the data classes) on both NICs, in every class the driver survives,
# while traffic crosses both ways and the devices are reconfigured (ethtool
# -L and -G, the MTU, the link down and up; the host's link, network
# change, VF offer and send table), until
# the host has sent HV_FUZZ_BUDGET messages of the fuzzed classes
# (default 60000) or HV_FUZZ_SECS seconds (default 70) have passed (with
# HV_FUZZ_WHOLE=1, not reaching the budget in that time fails).
# HV_FUZZ_SEED (default: from the clock) is printed, so that a run can be
# replayed
# (vm-run passes HV_FUZZ_* on to the guest: HV_FUZZ_SEED=1 scripts/vm-run --tests fuzz).
#
# First the test shows that a seed replays: the same seed and the same
# messages (link-speed indications, which only the host sends) give the
# same mutation log twice.  After the fuzzer is turned off it requires: the
# simulator counted messages and mutations; the driver counted bad host
# messages (host_bad_* in ethtool -S; the reference driver has no such
# counters); and both devices pass traffic again, after a down/up of the
# devices if the host's damage needs one.  A device that needs a reload of
# the driver fails that subtest (the reload still runs, so that the later
# subtests have devices).  vm-run fails the run if
# the kernel logged a warning, BUG, oops or KASAN report.
#
# Classes that crash or hang the reference driver are left out for it
# (HV_REF_LACKS fuzz:<class>).  The fuzzer's own damage counts as protocol
# violations (a completion for a mutated transaction ID, say): violations
# are only required to stop once the fuzzer is off and the devices were
# brought back.

source "$(dirname "$0")/hv_lib.sh"

hv_init queues=4

SEED=${HV_FUZZ_SEED:-$(( $(date +%s) % 1000000 ))}
BUDGET=${HV_FUZZ_BUDGET:-60000}
SECS=${HV_FUZZ_SECS:-70}
CLASSES="nvsp txcomp xfer rndis indicate send_table vf ppi offer"
FZ=/tmp/fuzz
mkdir -p $FZ
rm -f $FZ/*

fz() { echo "$3" > "$SIM/nic$1/fuzz/$2"; }

# fz_stat NIC CLASS seen|mutated
fz_stat() {
	awk -v c="$2" -v w="$3" '$1 == c { print (w == "seen") ? $2 : $3 }' \
		"$SIM/nic$1/fuzz/stats"
}

# fz_bad NS DEV: the sum of the driver's host_bad_* counters
fz_bad() {
	ip netns exec "$1" ethtool -S "$2" 2>/dev/null |
		awk '$1 ~ /^host_bad_/ { n += $2 } END { print n + 0 }'
}

fz_off() { fz 0 rate 0; fz 1 rate 0; }

# fz_traffic: carrier, then pings both ways; at most about 20 s
fz_traffic() {
	wait_for 5 hv_carrier $NS_A "$A" && wait_for 5 hv_carrier $NS_B "$B" ||
		return 1
	wait_for 5 ina ping -c 1 -W 1 $IP_B >/dev/null
	ping_ok $NS_A $IP_B && ping_ok $NS_B $IP_A
}

# fz_retry: fz_traffic, three tries
fz_retry() {
	local i
	for i in 1 2 3; do
		fz_traffic && return 0
		sleep 1
	done
	return 1
}

# fz_updown: both devices down and up again, and the host's link too.
# The host's link goes down and up, because a mutated media-connect
# indication leaves the driver with no carrier until the host sends
# another: neither driver asks for the media state again on open.
fz_updown() {
	sim_set 0 link 0
	sim_set 1 link 0
	sleep 0.2
	sim_set 0 link 1
	sim_set 1 link 1
	ina ip link set "$A" down
	inb ip link set "$B" down
	sleep 0.5
	ina ip link set "$A" up
	inb ip link set "$B" up
}

# fz_loop: reconfigure both devices, one random change every moment
fz_loop() {
	local mtus=(1500 9000 1280) rings=("64 16" "256 64" "1024 128")
	local ns dev r n
	while [ ! -e $FZ/stop ]; do
		for n in 0 1; do
			[ $n = 0 ] && ns=$NS_A dev=$A || ns=$NS_B dev=$B
			r=$((RANDOM % 8))
			echo "$ns $r" >> $FZ/ops
			case $r in
			0) ip netns exec $ns timeout 30 ethtool -L "$dev" \
				combined $((RANDOM % 4 + 1)) ;;
			1) set -- ${rings[RANDOM % 3]}
			   ip netns exec $ns timeout 30 ethtool -G "$dev" rx "$1" tx "$2" ;;
			2) ip netns exec $ns timeout 30 ip link set "$dev" \
				mtu ${mtus[RANDOM % 3]} ;;
			3) ip netns exec $ns timeout 30 ip link set "$dev" down
			   ip netns exec $ns timeout 30 ip link set "$dev" up ;;
			4) sim_set $n link 0
			   sleep 0.2
			   sim_set $n link 1 ;;
			5) echo 1 > "$SIM/nic$n/network_change" ;;
			6) sim_set $n vf 1
			   sleep 0.2
			   sim_set $n vf 0 ;;
			7) sim_set $n send_table "$(for i in $(seq 16); do
				echo $((i % (RANDOM % 4 + 1))); done | tr '\n' ' ')" ;;
			esac >/dev/null 2>&1
		done
		sleep 0.5
	done
}

# fz_load: pings, a TCP stream and a UDP stream of small datagrams both
# ways, restarted when they end.  UDP does not back off when the fuzzer
# damages its frames, so the host's message rate stays high; the UDP
# stream runs only when the data classes are fuzzed (FZ_UDP).
fz_load() {
	while [ ! -e $FZ/stop ]; do
		ina timeout 10 ping -q -c 100 -i 0.05 -W 1 $IP_B >/dev/null 2>&1 &
		inb timeout 10 ping -q -c 100 -i 0.05 -W 1 -s 1400 $IP_A >/dev/null 2>&1 &
		ina timeout 15 iperf3 -s -1 -p 5301 >/dev/null 2>&1 &
		[ "$FZ_UDP" = 1 ] &&
		ina timeout 15 iperf3 -s -1 -p 5302 >/dev/null 2>&1 &
		sleep 0.5
		[ "$FZ_UDP" = 1 ] &&
		inb timeout 12 iperf3 -c $IP_A -p 5302 -u -b 20M -l 256 --bidir \
			-t 5 --connect-timeout 2000 >/dev/null 2>&1 &
		inb timeout 12 iperf3 -c $IP_A -p 5301 --bidir -t 5 \
			--connect-timeout 2000 >/dev/null 2>&1
		wait
	done
}

# fz_seen: the host's messages of the classes being fuzzed (the budget)
fz_seen() {
	local c n=0
	for c in ${classes//,/ }; do
		n=$((n + $(fz_stat 0 "$c" seen) + $(fz_stat 1 "$c" seen)))
	done
	echo $n
}

fz_mutated() {
	echo $(( $(fz_stat 0 total mutated) + $(fz_stat 1 total mutated) ))
}

hv_pair_checked
check "traffic before the fuzzer" fz_traffic

classes=
for c in $CLASSES; do
	hv_pending "$c" && continue
	classes+="${classes:+,}$c"
done
# The data classes carry most messages: without them, mutate more often,
# and send no UDP stream, whose messages would use up the budget unfuzzed
case ",$classes," in
*,txcomp,*|*,xfer,*|*,ppi,*) RATE=${HV_FUZZ_RATE:-40} FZ_UDP=1 ;;
*) RATE=${HV_FUZZ_RATE:-4} FZ_UDP=0 ;;
esac
info "seed $SEED, rate 1/$RATE, budget $BUDGET messages or ${SECS}s, classes $classes"

# --- replay: same seed, same messages, same mutations
fz_replay() {
	local i
	fz_off
	fz 1 classes indicate
	fz 1 seed "$SEED"
	fz 1 rate 2
	for i in $(seq 1 30); do
		sim_set 1 link_speed $((1000 * i))
	done
	sleep 0.5
	fz 1 rate 0
	cat "$SIM/nic1/fuzz/log" > $FZ/log.$1
}
fz_replay 1
fz_replay 2
n1=$(grep -vc '^#' $FZ/log.1)
if [ "$n1" -gt 0 ] && cmp -s $FZ/log.1 $FZ/log.2; then
	ok "a seed replays: the same $n1 mutations of 30 indications twice"
else
	fail "a seed replays ($n1 mutations; diff: $(diff $FZ/log.1 $FZ/log.2 | head -n 4 | tr '\n' '|'))"
fi
sim_set 1 link_speed 100000
fz_retry

# --- the fuzz proper
bad0_a=$(fz_bad $NS_A "$A")
bad0_b=$(fz_bad $NS_B "$B")
for n in 0 1; do
	fz $n classes "$classes"
	fz $n seed "$SEED"
	fz $n rate "$RATE"
done
fz_load &
load_pid=$!
fz_loop &
loop_pid=$!
start=$SECONDS
while [ "$(fz_seen)" -lt "$BUDGET" ] && [ $((SECONDS - start)) -lt "$SECS" ]; do
	sleep 2
done
fz_off
seen=$(fz_seen)
mutated=$(fz_mutated)
info "fuzzed for $((SECONDS - start))s"
touch $FZ/stop
wait $loop_pid $load_pid 2>/dev/null
for n in 0 1; do
	info "nic$n (class seen mutated): $(tr '\n' ' ' < "$SIM/nic$n/fuzz/stats")"
	info "nic$n: the last mutations: $(grep -v '^#' "$SIM/nic$n/fuzz/log" | tail -n 3 | tr '\n' '|')"
done
info "messages seen $seen, mutated $mutated (seed $SEED)"
if [ "$mutated" -gt 0 ] && [ "$seen" -gt "$mutated" ]; then
	ok "the host sent $seen messages and mutated $mutated"
else
	fail "the host sent $seen messages and mutated $mutated"
fi
# make check asks for the whole budget (HV_FUZZ_WHOLE=1): time is no excuse
if [ "${HV_FUZZ_WHOLE:-0}" = 1 ]; then
	[ "$seen" -ge "$BUDGET" ] && ok "the whole budget: $seen of $BUDGET messages in ${SECS}s at most" ||
		fail "the whole budget: $seen of $BUDGET messages in ${SECS}s at most"
fi

# The driver's counters, before a reload can take them
bad_a=$(( $(fz_bad $NS_A "$A") - bad0_a ))
bad_b=$(( $(fz_bad $NS_B "$B") - bad0_b ))

# --- recovery
how="as it was"
if ! fz_traffic; then
	how="after a down/up"
	info "no traffic: down/up"
	fz_updown
	if ! fz_retry; then
		how="after a reload of the driver"
		info "still no traffic: a: $(ina ip -br link 2>&1 | tr '\n' ' ') b: $(inb ip -br link 2>&1 | tr '\n' ' ')"
		info "reloading the driver"
		hv_unpair
		if hv_unload && info "unloaded" && hv_load && hv_pair; then
			fz_retry || how=
		else
			how=
		fi
	fi
fi
case $how in
"as it was"|"after a down/up")
	ok "both devices pass traffic again, $how" ;;
"") fail "both devices pass traffic again (not even after a reload)" ;;
*) fail "both devices pass traffic again, but only $how" ;;
esac
info "the last changes: $(tail -n 4 $FZ/ops 2>/dev/null | tr '\n' '|')"

if ! hv_pending counted; then
	info "host_bad_*: a +$bad_a, b +$bad_b"
	if [ $((bad_a + bad_b)) -gt 0 ]; then
		ok "counted: the driver counted bad host messages (+$((bad_a + bad_b)))"
	else
		fail "counted: the driver counted bad host messages (+$((bad_a + bad_b)))"
	fi
fi

# Violations the fuzzer caused are expected; once it is off there are none
v0=$(hv_violations 2>/dev/null)
if transfer_port_ok $NS_A $NS_B $IP_B 262144 7611 &&
   transfer_port_ok $NS_B $NS_A $IP_A 262144 7612; then
	ok "TCP both ways arrives intact"
else
	# a queue that stopped and never woke shows as a backlog here
	for ns in $NS_A $NS_B; do
		info "$ns: $(ip netns exec $ns tc -s qdisc 2>&1 | grep -E 'qdisc|backlog' | tr -s ' \n' ' ')"
	done
	# a channel whose frames the guest no longer takes shows here
	info "host, nic0 (a): $(sim_chans_info 0)"
	info "host, nic1 (b): $(sim_chans_info 1)"
	info "queues a: $(ina ethtool -l "$A" 2>&1 | awk '$1 == "Combined:" { printf "%s ", $2 }'), b: $(inb ethtool -l "$B" 2>&1 | awk '$1 == "Combined:" { printf "%s ", $2 }')"
	fail "TCP both ways arrives intact"
fi
v1=$(hv_violations)
expect_eq "no protocol violation once the fuzzer is off" 0 $((v1 - v0))

hv_unpair
check "rmmod after the fuzzer" hv_unload
echo "# $HV_TEST ($HV_DRIVER): $_hv_pass passed, $_hv_fail failed, $_hv_skip skipped"
[ $_hv_fail -gt 0 ] && exit $KSFT_FAIL
exit $KSFT_PASS
