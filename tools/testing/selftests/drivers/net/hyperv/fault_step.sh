#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A bring-up step the host refuses.  The simulator's fail_step fault makes
# the host refuse one step of opening the NIC: NVSP init (every version),
# the receive buffer, the send buffer, RNDIS init, or the n-th RNDIS query
# or set (fail_skip lets that many matching steps pass first).
#
# At probe (a NIC hot-added with the fault armed): the probe fails cleanly,
# with no channel and no GPADL left behind, or the driver does without
# what it was refused and the device works; a NIC added after that works.
# At reconfiguration (ethtool -L, ethtool -G, MTU change on a working
# device, which reopen the channel): the command fails with an error and
# the device is left as it was, passing traffic, or the command succeeds
# and the device passes traffic with the new setting.  When the host also
# refuses the reopen that undoes a change, the next down/up opens the
# device again, as it was.  No oops anywhere.

source "$(dirname "$0")/hv_lib.sh"

hv_init

STEPS="nvsp_init recv_buf send_buf rndis_init query set"
# Queries and sets at most that one bring-up makes, as far as we look
MAX_SKIP=12

fs_gpadls() { cat "$SIM/gpadls"; }
fs_fault() { echo "$3" > "$SIM/nic$1/faults/$2"; }
fs_left() { cat "$SIM/nic$1/faults/fail_count"; }

# fs_remove NIC: rescind it and wait until its device is gone
fs_remove() {
	local dev
	dev=$(sim_get "$1" device)
	echo 1 > "$SIM/nic$1/rescind"
	wait_for 20 test ! -e "/sys/bus/vmbus/devices/$dev"
}

# fs_plug_ok NIC: its netdev in namespace c as 10.0.0.3 reaches a
fs_plug_ok() {
	wait_for 10 hv_has_dev "$1" || { info "nic$1: no netdev"; return 1; }
	hv_plug "$1" && ping_ok $NS_C $IP_A
}

fs_unplug() { ip netns del $NS_C 2>/dev/null; sleep 0.2; }

# fs_gpadls_back: the GPADLs of NICs 0 and 1 only, as after hv_pair
fs_gpadls_are_g0() { [ "$(fs_gpadls)" = "$G0" ]; }
fs_gpadls_back() { wait_for 5 fs_gpadls_are_g0; }

# fs_clean NIC WHAT [BEFORE]: the simulator saw no protocol violation on
# NIC (since it counted BEFORE)
fs_clean() {
	local v
	v=$(( $(sim_get "$1" violations) - ${3:-0} ))
	[ "$v" = 0 ] && return 0
	info "$2: $v violations, last: $(sim_get "$1" last_violation)"
	return 1
}

# fs_probe STEP: hot add NICs that the host refuses STEP at the n-th time
# for n = 1, 2, ... until one probe does not reach it
fs_probe() {
	local step=$1 skip n left bad=0 refused=0 coped=0
	for skip in $(seq 0 $MAX_SKIP); do
		n=$(hv_add_nic "fail_step=$step fail_skip=$skip fail_count=1") || {
			info "add_nic with fail_step=$step refused"; return 1; }
		left=$(fs_left "$n")
		if [ "$left" != 0 ]; then
			# The probe made fewer such steps: it must have worked
			fs_fault "$n" fail_count 0
			fs_plug_ok "$n" || { info "nic$n: no traffic"; bad=1; }
			fs_unplug
			fs_remove "$n"
			break
		fi
		if hv_has_dev "$n"; then
			coped=$((coped + 1))
			fs_plug_ok "$n" || {
				info "$step #$((skip + 1)) refused, probe went on: no traffic"
				bad=1
			}
			fs_unplug
		else
			refused=$((refused + 1))
			[ "$(sim_get "$n" open_channels)" = 0 ] || {
				info "$step #$((skip + 1)): failed probe left $(sim_get "$n" open_channels) channels open"
				bad=1
			}
		fi
		fs_clean "$n" "$step #$((skip + 1)) at probe" || bad=1
		fs_remove "$n" || { info "nic$n: rescind did not finish"; bad=1; }
		fs_gpadls_back || {
			info "$step #$((skip + 1)): $(( $(fs_gpadls) - G0 )) GPADLs left behind"
			bad=1
		}
	done
	info "$step at probe: $refused probe(s) failed, $coped went on without it"
	[ $((refused + coped)) -ge 1 ] || { info "$step never reached"; bad=1; }
	# A NIC added after the failures works
	n=$(hv_add_nic "") || return 1
	fs_plug_ok "$n" || { info "$step: a clean NIC after the faults: no traffic"; bad=1; }
	fs_unplug
	fs_remove "$n"
	return $bad
}

# What a reconfiguration may change; and how to make and undo one
fs_comb() { ina ethtool -l "$A" | awk '$1 == "Combined:" { v = $2 } END { print v }'; }
fs_rx() {
	ina ethtool -g "$A" | awk '/^Current/ { c = 1 } c && $1 == "RX:" { print $2; exit }'
}
fs_state() { echo "combined=$(fs_comb) rx=$(fs_rx) mtu=$(ns_mtu $NS_A "$A")"; }

# fs_op channels|rings|mtu new|old: run the change (or its undo)
fs_op() {
	case $1:$2 in
	channels:new) ina ethtool -L "$A" combined "$ALT_COMB" ;;
	channels:old) ina ethtool -L "$A" combined "$COMB0" ;;
	rings:new) ina ethtool -G "$A" rx "$ALT_RX" ;;
	rings:old) ina ethtool -G "$A" rx "$RX0" ;;
	mtu:new) ina ip link set dev "$A" mtu 4000 ;;
	mtu:old) ina ip link set dev "$A" mtu 1500 ;;
	esac
}

# fs_state_is STATE: the device shows STATE (the reference driver opens its
# subchannels in a work item: give it a moment)
fs_state_now() { [ "$(fs_state)" = "$1" ]; }
fs_state_is() { wait_for 5 fs_state_now "$1"; }

# fs_baseline: back to the settings the test started with
fs_baseline() {
	fs_state_is "$BASE" && return 0
	fs_op channels old >/dev/null 2>&1
	fs_op rings old >/dev/null 2>&1
	fs_op mtu old >/dev/null 2>&1
	fs_state_is "$BASE"
}

fs_traffic() {
	wait_for 10 hv_carrier $NS_A "$A" || { info "no carrier"; return 1; }
	wait_for 10 ina ping -c 1 -W 1 $IP_B >/dev/null
	ping_ok $NS_A $IP_B
}

# fs_op_refused STEP SKIP COUNT OP: make the change OP with the host
# refusing STEP COUNT times after SKIP matching steps; sets rc (OP's exit
# status) and left (refusals not used up)
fs_op_refused() {
	fs_fault 0 fail_step "$1"
	fs_fault 0 fail_skip "$2"
	fs_fault 0 fail_count "$3"
	fs_op "$4" new >/dev/null 2>&1
	rc=$?
	left=$(fs_left 0)
	fs_fault 0 fail_count 0
	fs_fault 0 fail_step none
}

# fs_reconf STEP OP: refuse STEP the n-th time in the reopen that OP makes
fs_reconf() {
	local step=$1 op=$2 skip before after left rc bad=0 refused=0 coped=0 v0
	fs_baseline || info "cannot go back to $BASE before $op (have $(fs_state))"
	before=$(fs_state)
	v0=$(sim_get 0 violations)
	for skip in $(seq 0 $MAX_SKIP); do
		fs_op_refused "$step" "$skip" 1 "$op"
		if [ "$left" != 0 ]; then
			[ $rc = 0 ] || { info "$op failed without the fault"; bad=1; }
			fs_op "$op" old >/dev/null 2>&1
			break
		fi
		if [ $rc != 0 ]; then
			refused=$((refused + 1))
			fs_state_is "$before"
			after=$(fs_state)
			[ "$after" = "$before" ] || {
				info "$op, $step #$((skip + 1)) refused: $before became $after"
				bad=1
			}
		else
			coped=$((coped + 1))
			sleep 1
			after=$(fs_state)
			[ "$after" != "$before" ] || {
				info "$op, $step #$((skip + 1)) refused: success but nothing changed"
				bad=1
			}
		fi
		fs_traffic || { info "$op, $step #$((skip + 1)) refused: no traffic ($after)"; bad=1; }
		[ $rc != 0 ] || fs_op "$op" old >/dev/null 2>&1
		fs_state_is "$before" || {
			info "$op: could not go back to $before (have $(fs_state))"
			fs_op "$op" old >/dev/null 2>&1
			bad=1
		}
	done
	fs_clean 0 "$op, $step refused" "$v0" || bad=1
	info "$op, $step refused: $refused failed, $coped succeeded without it"
	[ $((refused + coped)) -ge 1 ] || { info "$step never reached by $op"; bad=1; }
	fs_traffic || { info "$op, $step: no traffic at the end"; bad=1; }
	return $bad
}

hv_pair_checked
G0=$(fs_gpadls)
COMB0=$(fs_comb)
RX0=$(fs_rx)
ALT_COMB=$(( COMB0 > 1 ? 1 : 2 ))
ALT_RX=$(( RX0 == 512 ? 1024 : 512 ))
BASE=$(fs_state)
info "before the faults: $BASE"

for step in $STEPS; do
	hv_pending "probe-$step" && continue
	check "probe with $step refused: fails cleanly or copes; a later NIC works" \
		fs_probe "$step"
done

for op in channels rings mtu; do
	for step in $STEPS; do
		hv_pending "$op-$step" && continue
		check "$op change with $step refused: fails and keeps the device as it was, or copes" \
			fs_reconf "$step" "$op"
	done
done
# fs_undo_refused OP: the host refuses the reopen OP makes and also the
# reopen that undoes it, so the device is left with no channel; it opens
# again at the next down/up, with the old settings, and passes traffic
fs_undo_refused() {
	local op=$1 before rc left bad=0
	fs_baseline || info "cannot go back to $BASE before $op (have $(fs_state))"
	before=$(fs_state)
	fs_op_refused nvsp_init 0 2 "$op"
	[ $rc != 0 ] || { info "$op succeeded although the host refused it"; bad=1; }
	[ "$left" = 0 ] || { info "$op: the host was asked $((2 - left)) time(s), not twice"; bad=1; }
	ina ip link set "$A" down
	ina ip link set "$A" up || { info "$op: ip link set up failed after the refused undo"; bad=1; }
	fs_traffic || { info "$op: no traffic after the down/up"; bad=1; }
	[ "$(fs_state)" = "$before" ] || { info "$op: $before became $(fs_state)"; bad=1; }
	return $bad
}

for op in channels rings mtu; do
	hv_pending "undo-refused-$op" && continue
	check "$op change and its undo both refused: a down/up opens the device again as it was" \
		fs_undo_refused "$op"
done

fs_baseline
expect_eq "the device as before the faults" \
	"combined=$COMB0 rx=$RX0 mtu=1500" "$(fs_state)"
check "traffic after the faults" fs_traffic

hv_unpair
check "rmmod after the faults" hv_unload
expect_eq "no GPADL left after rmmod" 0 "$(fs_gpadls)"
hv_finish
