# SPDX-License-Identifier: GPL-2.0
#
# Shared library of the hv_netvsc selftests.  Sourced by every test; runs in
# the guest that scripts/vm-run boots (bash, busybox, iproute2, ethtool,
# iperf3), with the simulated Hyper-V host hv_vmbus_sim and a driver under
# test (HV_DRIVER=ours|ref) that `modprobe hv_netvsc` loads.
#
# A test prints KTAP subtests through ok/fail/skip and ends with hv_exit:
# exit 0 when every subtest passed, 1 when one failed, 4 (KSFT_SKIP) when
# the whole test was skipped.

SIM=/sys/kernel/debug/hv_vmbus_sim
KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4
HV_DRIVER=${HV_DRIVER:-ref}
HV_TEST=$(basename "$0" .sh)

# Features our driver does not have yet, with the reason: the one list that
# the multi-queue issue empties.  Key: "<test>" or "<test>:<subtest>".
declare -A HV_OURS_PENDING=(
)

# Features the reference driver lacks: the test skips and says why.
declare -A HV_REF_LACKS=(
	[fault_corrupt:counted]="it has no counter for malformed host messages, it only logs them"
	[fault_early_xfer:probe]="data before the receive buffer exists crashes it: netvsc_receive() logs 'Packet offset:0 + len:64 too big', then the receive completion is queued into a completion ring not allocated yet (NULL pointer dereference in netvsc_poll, panic in softirq)"
	[fault_early_xfer:mtu]="the same crash at an MTU change: the new netvsc_device's receive completion ring is not allocated when the early data arrives (NULL pointer dereference in netvsc_poll)"
	[fault_early_xfer:counted]="it has no counter for data the host sends before the receive buffer exists: netvsc_receive() only logs the range as too big for its (still empty) buffer"
	[fault_corrupt:ppi_size]="a per-packet-info size past the area hangs it: rndis_get_ppi() logs 'Invalid ppi size' and loops forever (continue without advancing) in NAPI, RCU stall"
	[fault_corrupt:ppi_offset]="a per-packet-info offset past the entry hangs it: rndis_get_ppi() logs 'Invalid ppi_offset' and loops forever (continue without advancing) in NAPI, RCU stall"
	[fault_drop:rmmod]="after the host drops send completions, rmmod blocks forever in rndis_filter_device_remove() waiting for them (hung task)"
	[hotplug:under_load]="a rescind while traffic runs can hang it: rndis_filter_device_remove() waits with no timeout for its queues to drain, and once the channel is rescinded the receive completions it still owes fail with -ENODEV (hung task seen in make check)"
	[copybreak]="it has no rx-copybreak or tx-copybreak tunable (ethtool --get-tunable: Operation not supported); it copies every frame up to its send section size"
	[channels:counters-kept]="its totals are summed from the per-channel counters of the current netvsc_device, which ethtool -L frees and allocates anew: ip -s link rx/tx packets fall to 0 at every channel change"
	[channels:stats-names]="netvsc_get_sset_count() counts per-queue stats for nvdev->num_chn, so ethtool -S names and count follow the open channels"
	[rss:refused-table]="netvsc_set_rxfh() writes the new table into rndis_dev->rx_table before the host answers; when the host refuses OID_GEN_RECEIVE_SCALE_PARAMETERS, ethtool -x shows the refused table although the host keeps the old one"
	[hammer:monotonic]="its counters live in the per-channel state that every channel, ring or MTU change frees and rebuilds: /proc/net/dev goes back (to 0 while detached)"
	[ring_size:1048576]="it computes ring_size * 4096 in 32 bits, which wraps to 0: the probe fails, the NIC gets no netdev and nothing in the log names ring_size"
	[ring_size:4294967295]="the same 32-bit wrap: the probe fails, no netdev, nothing names ring_size"
	[ring_size:said-1048577]="ring_size * 4096 wraps to 4096: it runs on a ring of one data page and says nothing"
	[ring_size:100000]="it takes 100000 pages (400 MB per ring and direction) as given: on the simulator, which allocates ring pages one by one, the guest runs out of memory and panics ('System is deadlocked on memory'); on Hyper-V vmbus_open() would fail the allocation"
	[link:speed-unknown]="a link-speed indication of 0 is stored as 0 Mb/s: /sys/class/net/DEV/speed reads 0, not -1 (ethtool prints Unknown! for both)"
	[rss_kept:rings]="an ethtool -G whose new channel gets no subchannels succeeds: the device is left with one channel (ethtool -l combined 1, new ring sizes) and ethtool -x no longer shows the user's table"
	[rss_kept:channels]="an ethtool -L combined 2 whose subchannels the host refuses reports success; the device keeps one channel while ethtool -x shows a table spread over two (0 1 0 1 ...)"
	[rss_knobs:refused-table]="a table the host refuses is an error, but netvsc_set_rxfh() has already copied it into its rx_table, so ethtool -x shows the refused table"
	[tunables]="it has no ethtool tunables (no get_tunable/set_tunable): rx-copybreak and tx-copybreak are ours, from the DPDK driver"
	[counters:names]="its ethtool -S has per-queue packets and bytes only: no per-queue stops and wakes, no ring-full, no-section, checksum or LSO counts"
	[counters:offloads]="it counts no checksum or LSO sends, and no receive checksums the host verified"
	[counters:csum-bad]="it has no counter for checksums the host reports bad"
	[counters:no-section]="it has no per-queue stop and wake counts and no count of copied frames that found no send section"
	[fault_ring_full:counted]="it has no ring-full count and no per-queue stop and wake counts, and its stop_queue stays 0 in this test: it never stops a queue while the host holds the ring"
	[rings:mtu-kept]="it sizes a new receive buffer by the section size of the MTU it had: after ethtool -G rx 512 and an MTU change to 9000 the host cuts 95 sections from it, and back at 1500, 2735"
	[fuzz:counted]="it has no counter for malformed host messages, it only logs them"
	[fuzz:offer]="a subchannel the host promised but never offers hangs it: rndis_set_subchannel() waits with no timeout (wait_event) until every promised channel is open, under rtnl (fuzz.sh seed 11: nic0 offer #0 q1 skip, in ethtool -G; hung task)"
	[fuzz:ppi]="a received frame whose per-packet info has an offset not inside its size hangs it: rndis_get_ppi() logs 'Invalid ppi_offset' and loops forever (continue without advancing) in NAPI (fuzz.sh seed 7)"
	[fuzz:txcomp]="a send completion whose transaction ID or type the host mangled is dropped, so that send stays outstanding forever, and rndis_filter_device_remove() (ethtool -G/-L, MTU, rmmod) waits for it with no timeout: hung task (fuzz.sh seed 7: txcomp status/type/trans_id)"
	[fuzz:xfer]="a transfer-page packet the host mangled can lose an RNDIS control reply (seed 7: range offset 0 made it read an old init reply from section 0, which it dropped as 'no rndis request found'), and rndis_filter_query_device() waits for the reply with no timeout: the MTU change that asked hung (hung task)"
	[fuzz:rndis]="it waits with no timeout for every RNDIS control reply (rndis_filter_query_device, rndis_filter_set_*): a reply whose request ID or type is mangled is dropped and the request hangs, as seen through the xfer class"
	[fuzz:nvsp]="it waits with no timeout for the NVSP init, buffer and subchannel completions (wait_for_completion in netvsc_init_buf, netvsc_connect_vsp, rndis_set_subchannel): a mangled one leaves the reconfiguration that waits hung"
	[exthdr:pkt-csum]="netvsc_xmit() puts skb_transport_offset() into the 10-bit tcp_header_offset of the checksum info unchecked and has no ndo_features_check: a packet socket's checksum start of 1054 reaches the host as offset 30"
	[send_table_old:counted]="it has no counter for malformed send tables, netvsc_send_table() only logs them"
	[cross_completions]="a send completion on another channel crashes it: each channel has its own request table (vmbus_request_addr() on the receiving channel), so it logs 'Invalid transaction ID' and soon hits kernel BUG at lib/list_debug.c:59 in napi_complete_done() from netvsc_poll(), kernel panic"
	[cross_completions:comp-other]="it has no count of completions that arrive on another queue than their send's"
	[fault_step:probe-send_buf]="when the host refuses the send buffer, netvsc_device_add() takes its close: path (napi_disable, vmbus_close, free_netvsc_device) and tears down the receive buffer GPADL it had shared without revoking that buffer first (simulator: receive buffer GPADL torn down in use)"
	[fault_step:channels-send_buf]="when the host refuses the send buffer, netvsc_device_add() takes its close: path (napi_disable, vmbus_close, free_netvsc_device) and tears down the receive buffer GPADL it had shared without revoking that buffer first (simulator: receive buffer GPADL torn down in use)"
	[fault_step:rings-send_buf]="when the host refuses the send buffer, netvsc_device_add() takes its close: path (napi_disable, vmbus_close, free_netvsc_device) and tears down the receive buffer GPADL it had shared without revoking that buffer first (simulator: receive buffer GPADL torn down in use)"
	[fault_step:mtu-send_buf]="when the host refuses the send buffer, netvsc_device_add() takes its close: path (napi_disable, vmbus_close, free_netvsc_device) and tears down the receive buffer GPADL it had shared without revoking that buffer first (simulator: receive buffer GPADL torn down in use)"
	[fault_step:probe-rndis_init]="when the host fails RNDIS init, rndis_filter_device_add() goes to err_dev_remv: and rndis_filter_device_remove() -> rndis_filter_halt_device() sends RNDIS HALT to a device that never initialised (simulator: RNDIS message 0x3 before init)"
	[fault_step:channels-rndis_init]="when the host fails RNDIS init, rndis_filter_device_add() goes to err_dev_remv: and rndis_filter_device_remove() -> rndis_filter_halt_device() sends RNDIS HALT to a device that never initialised (simulator: RNDIS message 0x3 before init)"
	[fault_step:rings-rndis_init]="when the host fails RNDIS init, rndis_filter_device_add() goes to err_dev_remv: and rndis_filter_device_remove() -> rndis_filter_halt_device() sends RNDIS HALT to a device that never initialised (simulator: RNDIS message 0x3 before init)"
	[fault_step:mtu-rndis_init]="when the host fails RNDIS init, rndis_filter_device_add() goes to err_dev_remv: and rndis_filter_device_remove() -> rndis_filter_halt_device() sends RNDIS HALT to a device that never initialised (simulator: RNDIS message 0x3 before init)"
	[subchan_offers:skip]="a granted subchannel that is never offered hangs it: netvsc_subchan_work() holds RTNL while rndis_set_subchannel() waits with no timeout (wait_event on subchan_open) for open_chn to reach num_chn; kworkers blocked (hung task), and every RTNL user with them"
	[fault_step:channels-query]="when the host refuses its query of OID_GEN_RECEIVE_SCALE_CAPABILITIES in a reopen, rndis_filter_device_add() goes to out: with one channel and max_chn 1; the command succeeds, but ethtool -L combined 2 is refused from then on (netvsc_set_channels: count > max_chn), so the device keeps one channel (seen after ethtool -L and -G; an MTU change reopens the same way)"
	[fault_step:rings-query]="when the host refuses its query of OID_GEN_RECEIVE_SCALE_CAPABILITIES in a reopen, rndis_filter_device_add() goes to out: with one channel and max_chn 1; the command succeeds, but ethtool -L combined 2 is refused from then on (netvsc_set_channels: count > max_chn), so the device keeps one channel (seen after ethtool -L and -G; an MTU change reopens the same way)"
	[fault_step:mtu-query]="when the host refuses its query of OID_GEN_RECEIVE_SCALE_CAPABILITIES in a reopen, rndis_filter_device_add() goes to out: with one channel and max_chn 1; the command succeeds, but ethtool -L combined 2 is refused from then on (netvsc_set_channels: count > max_chn), so the device keeps one channel (seen after ethtool -L and -G; an MTU change reopens the same way)"
	[subchan_offers:dup]="a repeated subchannel offer hangs it: netvsc_sc_open() counts every offer in open_chn, also the repeat whose vmbus_open() fails, and rndis_set_subchannel() waits (no timeout, RTNL held by netvsc_subchan_work()) for open_chn == num_chn exactly, which the count has passed; hung kworkers"
	[fault_step:channels-set]="rndis_filter_set_packet_filter() waits for the set completion but never reads its status: when the host refuses the packet filter set at the end of a reopen, the command succeeds and the device receives nothing (no traffic; seen after ethtool -L, -G and an MTU change)"
	[fault_step:rings-set]="rndis_filter_set_packet_filter() waits for the set completion but never reads its status: when the host refuses the packet filter set at the end of a reopen, the command succeeds and the device receives nothing (no traffic; seen after ethtool -L, -G and an MTU change)"
	[fault_step:mtu-set]="rndis_filter_set_packet_filter() waits for the set completion but never reads its status: when the host refuses the packet filter set at the end of a reopen, the command succeeds and the device receives nothing (no traffic; seen after ethtool -L, -G and an MTU change)"
	[fault_step:undo-refused-channels]="after the host refuses a reopen and also the reopen that undoes it (netvsc_attach() fails twice), the device keeps no netvsc_device: ip link set up, ethtool -L, -G and MTU changes all fail with ENODEV (No such device) from then on, and only a reload of the driver brings it back"
	[fault_step:undo-refused-rings]="after the host refuses a reopen and also the reopen that undoes it (netvsc_attach() fails twice), the device keeps no netvsc_device: ip link set up, ethtool -L, -G and MTU changes all fail with ENODEV (No such device) from then on, and only a reload of the driver brings it back"
	[fault_step:undo-refused-mtu]="after the host refuses a reopen and also the reopen that undoes it (netvsc_attach() fails twice), the device keeps no netvsc_device: ip link set up, ethtool -L, -G and MTU changes all fail with ENODEV (No such device) from then on, and only a reload of the driver brings it back"
	[rss:tcp4-sd-host]="ethtool -N rx-flow-hash sd only changes its own TX hash level; the hash types it gives the host keep TCP ports (rss_hash stays 0x1701)"
)

_hv_n=0
_hv_fail=0
_hv_pass=0
_hv_skip=0

ok() {
	_hv_n=$((_hv_n + 1)); _hv_pass=$((_hv_pass + 1))
	echo "ok $_hv_n $HV_TEST: $*"
}

fail() {
	_hv_n=$((_hv_n + 1)); _hv_fail=$((_hv_fail + 1))
	echo "not ok $_hv_n $HV_TEST: $*"
}

skip() {
	_hv_n=$((_hv_n + 1)); _hv_skip=$((_hv_skip + 1))
	echo "ok $_hv_n $HV_TEST: # SKIP $*"
}

info() {
	echo "# $*"
}

# check DESCRIPTION COMMAND...: one subtest from a command's status
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else fail "$what"; fi
}

# expect_eq DESCRIPTION WANT GOT
expect_eq() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		fail "$1 (want '$2', got '$3')"
	fi
}

# Skip the whole test, or a named subtest, when the driver under test lacks
# the feature.  Returns 0 (and has printed the skip) when it must be skipped.
hv_pending() {
	local key=$HV_TEST${1:+:$1} why=
	if [ "$HV_DRIVER" = ours ]; then
		why=${HV_OURS_PENDING[$key]:-}
		[ -n "$why" ] && why="our driver: $why"
	else
		why=${HV_REF_LACKS[$key]:-}
		[ -n "$why" ] && why="reference driver: $why"
	fi
	[ -n "$why" ] || return 1
	if [ -z "${1:-}" ]; then
		echo "# SKIP $HV_TEST: $why"
		exit $KSFT_SKIP
	fi
	skip "$1: $why"
	return 0
}

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds
wait_for() {
	local t=$(( $1 * 10 ))
	shift
	while [ $t -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1
		t=$((t - 1))
	done
	return 1
}

# --------------------------------------------------------------- simulator

sim_nic_dir() { echo "$SIM/nic$1"; }
sim_get() { cat "$SIM/nic$1/$2"; }
sim_set() { echo "$3" > "$SIM/nic$1/$2"; }

# sim_stat NIC NAME: one counter of nic<NIC>/stats
sim_stat() {
	awk -v k="$2" '$1 == k { print $2 }' "$SIM/nic$1/stats"
}

# sim_chan_stat NIC CHANNEL NAME
sim_chan_stat() {
	awk -v k="$3" '$1 == k { print $2 }' "$SIM/nic$1/channels/$2/stats"
}

# sim_chans_info NIC: one line for all of the NIC's channels as the host
# sees them (its counters, backlog, and both rings' read and write
# indexes, interrupt mask and pending size), for a failure's message
sim_chans_info() {
	local c
	for c in "$SIM/nic$1/channels"/*/; do
		[ -f "$c/stats" ] || continue
		printf 'ch%s: %s| ' "$(basename "$c")" "$(tr '\n' ' ' < "$c/stats")"
	done
	echo
}

# sim_nics: numbers of the NICs the simulator offers now
sim_nics() {
	local d
	for d in "$SIM"/nic*; do
		[ -d "$d" ] && echo "${d##*/nic}"
	done
}

# hv_dev NIC: the guest netdev of simulator NIC <NIC> (empty if none)
hv_dev() {
	local dev
	dev=$(sim_get "$1" device 2>/dev/null) || return 1
	ls "/sys/bus/vmbus/devices/$dev/net" 2>/dev/null | head -n1
}

# hv_load [SIM PARAMS...]: load the simulator and the driver under test and
# wait until every NIC has a netdev.
hv_load() {
	local n
	if ! grep -q '^hv_vmbus_sim ' /proc/modules; then
		modprobe hv_vmbus_sim ${HV_SIM_PARAMS:-} "$@" || return 1
	fi
	# shellcheck disable=SC2086
	modprobe hv_netvsc ${HV_DRV_PARAMS:-} || return 1
	for n in $(sim_nics); do
		wait_for 20 hv_has_dev "$n" || {
			echo "# no netdev for simulator NIC $n"
			return 1
		}
	done
}

hv_has_dev() { [ -n "$(hv_dev "$1")" ]; }

# hv_unload: rmmod hv_netvsc.  A module reference can linger for a moment
# after the last netdev operation (seen once in ten reloads of the reference
# driver), so "in use" is retried for up to 5 s, and said.
hv_unload() {
	local t
	for t in $(seq 50); do
		rmmod hv_netvsc 2>/tmp/hv_rmmod.err && {
			[ "$t" = 1 ] || info "rmmod needed $t tries"
			return 0
		}
		grep -q "in use" /tmp/hv_rmmod.err || break
		sleep 0.1
	done
	cat /tmp/hv_rmmod.err >&2
	return 1
}

# hv_violations: protocol violations the simulator counted, all NICs
hv_violations() {
	local n sum=0 v
	for n in $(sim_nics); do
		v=$(sim_get "$n" violations)
		sum=$((sum + v))
		[ "$v" = 0 ] || echo "# nic$n: $v violations, last: $(sim_get "$n" last_violation)" >&2
	done
	echo $sum
}

# --------------------------------------------------------------- topology
#
# hv_pair: NIC 0 in namespace "a" as 10.0.0.1/24 and fd00::1/64, NIC 1 in
# "b" as 10.0.0.2 and fd00::2; both up with carrier.  A and B are set to the
# netdev names; run commands with `ina CMD` and `inb CMD`.

NS_A=a
NS_B=b
IP_A=10.0.0.1
IP_B=10.0.0.2
IP6_A=fd00::1
IP6_B=fd00::2

ina() { ip netns exec $NS_A "$@"; }
inb() { ip netns exec $NS_B "$@"; }

hv_carrier() {
	[ "$(ip netns exec "$1" cat "/sys/class/net/$2/carrier" 2>/dev/null)" = 1 ]
}

hv_pair() {
	A=$(hv_dev 0)
	B=$(hv_dev 1)
	[ -n "$A" ] && [ -n "$B" ] || { echo "# NICs 0 and 1 have no netdev"; return 1; }
	ip netns add $NS_A 2>/dev/null
	ip netns add $NS_B 2>/dev/null
	ip link set "$A" netns $NS_A || return 1
	ip link set "$B" netns $NS_B || return 1
	ina ip link set lo up
	inb ip link set lo up
	ina ip addr add $IP_A/24 dev "$A"
	inb ip addr add $IP_B/24 dev "$B"
	ina ip addr add $IP6_A/64 dev "$A" nodad
	inb ip addr add $IP6_B/64 dev "$B" nodad
	ina ip link set "$A" up
	inb ip link set "$B" up
	wait_for 10 hv_carrier $NS_A "$A" && wait_for 10 hv_carrier $NS_B "$B" ||
		{ echo "# no carrier"; return 1; }
	# The first packets may race neighbour discovery; one ping settles it.
	wait_for 10 ina ping -c 1 -W 1 $IP_B >/dev/null
}

# A third NIC, hot-added, goes to namespace "c" as 10.0.0.3
NS_C=c
IP_C=10.0.0.3

# hv_add_nic OPTIONS: offer a NIC through the simulator's add_nic (the
# driver probes it before the write returns); prints its number
hv_add_nic() {
	local before after
	before=$(sim_nics | sort -n | tail -n1)
	echo "$1" > "$SIM/add_nic" || return 1
	after=$(sim_nics | sort -n | tail -n1)
	[ "$after" != "$before" ] || return 1
	echo "$after"
}

# hv_plug NIC: its netdev (set in C) into namespace c as 10.0.0.3, up with
# carrier; one ping to a settles neighbour discovery
hv_plug() {
	C=$(hv_dev "$1")
	[ -n "$C" ] || { echo "# nic$1: no netdev"; return 1; }
	ip netns add $NS_C 2>/dev/null
	ip link set "$C" netns $NS_C || return 1
	ip -n $NS_C link set lo up
	ip -n $NS_C addr add $IP_C/24 dev "$C" || return 1
	ip -n $NS_C link set "$C" up || return 1
	wait_for 10 hv_carrier $NS_C "$C" || { echo "# $C: no carrier"; return 1; }
	wait_for 10 ip netns exec $NS_C ping -c 1 -W 1 $IP_A >/dev/null
}

# hv_unpair: back to the initial namespace, so that the driver can go
hv_unpair() {
	ip netns del $NS_A 2>/dev/null
	ip netns del $NS_B 2>/dev/null
	sleep 0.5
}

# ping_ok NS DEST [ARGS...]: a few pings that must all come back
ping_ok() {
	local ns=$1 dst=$2
	shift 2
	ip netns exec "$ns" ping -q -c 3 -i 0.2 -W 2 "$@" "$dst" 2>&1 |
		grep -q ' 0% packet loss'
}

# iperf_tcp NS_SERVER SERVER_IP NS_CLIENT [ARGS...]: bits/s received
iperf_tcp() {
	local srv=$1 ip=$2 cli=$3 out
	shift 3
	ip netns exec "$srv" iperf3 -s -1 -D -p 5201 >/dev/null 2>&1
	sleep 0.5
	out=$(ip netns exec "$cli" iperf3 -c "$ip" -p 5201 -J "$@" 2>/dev/null)
	echo "$out" | awk -F'[:,]' '/"sum_received"/ { r = 1 } r && /"bits_per_second"/ { printf "%d\n", $2; exit }'
}

# transfer_ok NS_SRC NS_DST DST_IP BYTES: a file sent with busybox nc over
# TCP arrives intact (end-to-end payload check)
transfer_ok() {
	local src=$1 dst=$2 ip=$3 bytes=$4 want got
	dd if=/dev/urandom of=/tmp/xfer.in bs=1024 count=$((bytes / 1024)) 2>/dev/null
	want=$(sha256sum < /tmp/xfer.in | cut -d' ' -f1)
	rm -f /tmp/xfer.out
	# The listener's stdin must not end: at its EOF busybox nc shuts down
	# its side, and the sender stops sending when it sees that.
	[ -p /tmp/xfer.hold ] || mkfifo /tmp/xfer.hold
	ip netns exec "$dst" timeout 60 nc -l -p 7000 0<>/tmp/xfer.hold > /tmp/xfer.out &
	local pid=$!
	sleep 0.5
	ip netns exec "$src" timeout 60 nc -w 5 "$ip" 7000 < /tmp/xfer.in
	wait $pid
	got=$(sha256sum < /tmp/xfer.out | cut -d' ' -f1)
	[ "$want" = "$got" ]
}

# hv_finish: the checks every test ends with, then exit with the verdict
hv_finish() {
	local v
	v=$(hv_violations)
	expect_eq "no protocol violations seen by the simulator" 0 "$v"
	echo "# $HV_TEST ($HV_DRIVER): $_hv_pass passed, $_hv_fail failed, $_hv_skip skipped"
	if [ $_hv_fail -gt 0 ]; then
		exit $KSFT_FAIL
	fi
	exit $KSFT_PASS
}

# rss_key_x NS DEV: the key `ethtool -x` shows, lowercase hex, no colons
rss_key_x() {
	ip netns exec "$1" ethtool -x "$2" 2>/dev/null |
		awk '/^RSS hash key:/ { getline; gsub(":", ""); print tolower($0); exit }'
}

# rss_table_x NS DEV: the table `ethtool -x` shows, entries space separated
rss_table_x() {
	ip netns exec "$1" ethtool -x "$2" 2>/dev/null | awk '
		/^RSS hash key:/ { exit }
		/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) t = t (t == "" ? "" : " ") $i }
		END { print t }'
}

# hv_need_queues: fails the test (and ends it) unless nic0 (a) has at
# least two queues; sets QUEUES to its count
hv_need_queues() {
	QUEUES=$(ina ethtool -l "$A" | awk '$1 == "Combined:" { v = $2 } END { print v }')
	if [ "${QUEUES:-0}" -lt 2 ]; then
		fail "at least 2 queues (have '$QUEUES'; guest CPUs $(nproc))"
		hv_unpair
		hv_finish
	fi
}

# send_table_d: the send table `ethtool -d` dumps for a, as 16 numbers
send_table_d() {
	ina ethtool -d "$A" raw on 2>/dev/null | od -An -tu4 -v |
		tr -s ' \n' ' ' | sed 's/^ //; s/ $//'
}

# sent01: packets nic0 (a) sent on each of its first two channels
sent01() {
	echo "$(sim_chan_stat 0 0 tx_packets) $(sim_chan_stat 0 1 tx_packets)"
}

# sent01_delta BEFORE AFTER: sets D0 and D1, the packets a sent on each
# of its first two channels between two sent01 readings
sent01_delta() {
	# shellcheck disable=SC2086 # two words each, split on purpose
	set -- $1 $2
	D0=$(( $3 - $1 ))
	D1=$(( $4 - $2 ))
	info "packets a sent per channel: 0: $D0, 1: $D1"
}

# flows16 PORT: 16 TCP flows from a to b for 2 s; sets D0 and D1
flows16() {
	local before pid
	ina ping -c 1 -W 1 $IP_B >/dev/null
	inb timeout 30 iperf3 -s -1 -p "$1" >/dev/null 2>&1 &
	pid=$!
	wait_for 5 inb sh -c "netstat -ltn | grep -q ':$1 '"
	before=$(sent01)
	ina timeout 25 iperf3 -c $IP_B -p "$1" -P 16 -t 2 \
		--connect-timeout 5000 >/dev/null 2>&1 ||
		info "iperf3 with 16 flows failed"
	sent01_delta "$before" "$(sent01)"
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
}

# hv_pair_checked: hv_pair as the first subtest; the test ends without it
hv_pair_checked() {
	if ! hv_pair; then
		fail "two NICs in two namespaces, addresses, carrier"
		hv_finish
	fi
	ok "two NICs in two namespaces, addresses, carrier"
}

# hv_vf_in NS NIC: the VF of NIC (a PCI netdev with NIC's MAC; the
# synthetic NIC has the same MAC) in namespace NS, "" for the first one
hv_vf_in() {
	# shellcheck disable=SC2016 # expanded in the namespace's shell
	${1:+ip netns exec "$1"} bash -c 'for d in /sys/class/net/*; do
		readlink "$d/device" 2>/dev/null | grep -q "\.[0-7]$" || continue
		[ "$(cat "$d/address")" = "$0" ] && echo "${d##*/}"
	done | head -n1' "$(sim_get "$2" mac)"
}

# hv_ethtool_stat NS DEV NAME: one counter of ethtool -S
hv_ethtool_stat() {
	ip netns exec "$1" ethtool -S "$2" | awk -v k="$3:" '$1 == k { print $2 }'
}

# sim_path_is NIC synthetic|vf: the data path the host uses for NIC
sim_path_is() { [ "$(sim_get "$1" data_path)" = "$2" ]; }

# hv_vfs_paired: both NICs' VFs enslaved in the NICs' namespaces (VA and
# VB: their names), both data paths on them, with carrier
hv_vfs_paired() {
	VA=$(hv_vf_in $NS_A 0)
	VB=$(hv_vf_in $NS_B 1)
	[ -n "$VA" ] && [ -n "$VB" ] && sim_path_is 0 vf && sim_path_is 1 vf &&
		hv_carrier $NS_A "$VA" && hv_carrier $NS_B "$VB"
}

# hv_vfs_up: the VF tests' start, once the NICs are paired: the VFs'
# driver loaded, both VFs paired (or the test ends)
hv_vfs_up() {
	modprobe e1000e || { fail "load e1000e, the VFs' driver"; hv_finish; }
	wait_for 30 hv_vfs_paired
	check "both VFs paired, both data paths on them (nic0: ${VA:-none}, nic1: ${VB:-none})" \
		hv_vfs_paired
	hv_vfs_paired || hv_finish
}

# hv_over_vf: pings a -> b come back and nic0's VF (VA) carried them
hv_over_vf() {
	wait_for 20 hv_carrier $NS_A "$VA" || return 1
	sim_snap 0
	ping_ok $NS_A $IP_B && [ "$(sim_delta 0 vf_tx_packets)" -ge 3 ]
}

# hv_need_vfs N: skip the whole test unless the guest has N VFs (vm-run
# --vf N, or a "# vm-run-vf: N" line) and a driver for them
hv_need_vfs() {
	if [ "${HV_VFS:-0}" -lt "$1" ]; then
		skip "no VFs in this guest (scripts/vm-run --vf $1)"
		hv_finish
	fi
	if ! modinfo e1000e > /dev/null 2>&1; then
		skip "this kernel has no e1000e for the VFs"
		hv_finish
	fi
}

hv_init() {
	echo "# $HV_TEST: driver under test: $HV_DRIVER"
	hv_pending
	hv_load "$@" || { fail "load the simulator and hv_netvsc"; hv_finish; }
}

# --- helpers added for traffic/offloads/mtu/link/filters/vlan

# ns_cat NS DEV ATTR: /sys/class/net/DEV/ATTR as seen from namespace NS
ns_cat() {
	ip netns exec "$1" cat "/sys/class/net/$2/$3" 2>/dev/null
}

# ns_mtu NS DEV: the current MTU
ns_mtu() { ns_cat "$1" "$2" mtu; }

# ns_mtu_limit NS DEV min|max: minmtu or maxmtu as `ip -d link` reports it
ns_mtu_limit() {
	ip netns exec "$1" ip -d link show dev "$2" |
		awk -v k="$3mtu" '{ for (i = 1; i < NF; i++) if ($i == k) { print $(i + 1); exit } }'
}

# ns_feature NS DEV NAME: on or off, from `ethtool -k` (without [fixed])
ns_feature() {
	ip netns exec "$1" ethtool -k "$2" |
		awk -v k="$3:" '$1 == k { print $2; exit }'
}

# ping_sizes NS DEST SIZE...: a few pings of each size must all come back;
# prints the sizes that failed and returns 1 if any did.  PING overrides
# the command (ping6 for IPv6).
ping_sizes() {
	local ns=$1 dst=$2 s bad=
	shift 2
	for s in "$@"; do
		ip netns exec "$ns" ${PING:-ping} -q -c 2 -i 0.2 -W 2 -s "$s" \
			"$dst" 2>&1 | grep -q ' 0% packet loss' || bad+=" $s"
	done
	[ -z "$bad" ] && return 0
	echo "# $ns -> $dst: no reply at size(s)$bad"
	return 1
}

# ping_fails NS DEST [ARGS...]: no reply at all comes back
ping_fails() {
	local ns=$1 dst=$2
	shift 2
	! ip netns exec "$ns" ping -q -c 2 -i 0.2 -W 1 "$@" "$dst" 2>&1 |
		grep -q ' [12] packets received'
}

# sim_snap NIC...: remember every counter of those NICs; sim_delta NIC NAME
# prints how far NAME moved since.
declare -A _hv_snap=()
sim_snap() {
	local n k v
	for n in "$@"; do
		while read -r k v; do
			_hv_snap[$n:$k]=$v
		done < "$SIM/nic$n/stats"
	done
}

sim_delta() {
	echo $(( $(sim_stat "$1" "$2") - ${_hv_snap[$1:$2]:-0} ))
}

# iperf_json NS_SERVER SERVER_IP NS_CLIENT PORT [ARGS...]: one iperf3 run
# with a time limit; prints the client's JSON report
iperf_json() {
	local srv=$1 ip=$2 cli=$3 port=$4
	shift 4
	ip netns exec "$srv" timeout 60 iperf3 -s -1 -p "$port" >/dev/null 2>&1 &
	local pid=$!
	wait_for 5 ip netns exec "$srv" sh -c "netstat -ltn | grep -q ':$port '"
	ip netns exec "$cli" timeout 40 iperf3 -c "$ip" -p "$port" -J \
		--connect-timeout 5000 "$@" 2>/dev/null
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

# json_get JSON SECTION KEY: the first KEY after "SECTION" in the "end"
# part of an iperf3 -J report
json_get() {
	echo "$1" | awk -F'[:,]' -v s="\"$2\"" -v k="\"$3\"" '
		/^\t"end":/ { end = 1 }
		end && index($1, s) { on = 1 }
		on && index($1, k) { gsub(/[ \t]/, "", $2); print $2; exit }'
}

# iperf_rate NS_SERVER SERVER_IP NS_CLIENT PORT [ARGS...]: Mbit/s the
# receiver got (0 when the run failed)
iperf_rate() {
	local j bps
	j=$(iperf_json "$@")
	bps=$(json_get "$j" sum_received bits_per_second)
	awk -v b="${bps:-0}" 'BEGIN { printf "%d\n", (b == "null" ? 0 : b) / 1e6 }'
}

# transfer_port_ok NS_SRC NS_DST DST_IP BYTES PORT: transfer_ok on a port
# of one's own, with the reason on failure
transfer_port_ok() {
	local src=$1 dst=$2 ip=$3 bytes=$4 port=$5 want got pid rc
	dd if=/dev/urandom of=/tmp/xfer.in bs=1024 count=$((bytes / 1024)) 2>/dev/null
	want=$(sha256sum < /tmp/xfer.in | cut -d' ' -f1)
	rm -f /tmp/xfer.out
	[ -p /tmp/xfer.hold ] || mkfifo /tmp/xfer.hold
	ip netns exec "$dst" timeout 60 nc -l -p "$port" 0<>/tmp/xfer.hold > /tmp/xfer.out &
	pid=$!
	wait_for 5 ip netns exec "$dst" sh -c "netstat -ltn | grep -q ':$port '" ||
		echo "# $dst: nothing listens on port $port after 5 s"
	ip netns exec "$src" timeout 60 nc -w 5 "$ip" "$port" < /tmp/xfer.in
	rc=$?
	wait $pid
	got=$(sha256sum < /tmp/xfer.out | cut -d' ' -f1)
	[ "$want" = "$got" ] && return 0
	echo "# $src -> $dst: $(stat -c %s /tmp/xfer.out 2>/dev/null) of $bytes bytes arrived, digest differs (the sender's nc: exit $rc)"
	return 1
}

# one_frame_pings NS DEST NIC SIZE: ten pings of SIZE bytes come back and
# NIC (the sender's) carried each as one unfragmented frame: at least ten
# frames of SIZE + 42 bytes (SIZE + 62 with PING=ping6), and fewer than
# twenty in all, where fragments would make twenty or more; the rest is
# room for ARP and neighbour discovery frames sent meanwhile
one_frame_pings() {
	local ns=$1 dst=$2 nic=$3 size=$4 hdr=42 pkts bytes
	[ "${PING:-ping}" = ping6 ] && hdr=62
	sim_snap "$nic"
	ip netns exec "$ns" ${PING:-ping} -q -c 10 -i 0.1 -W 2 -s "$size" "$dst" 2>&1 |
		grep -q ' 0% packet loss' ||
		{ echo "# $ns -> $dst: no reply at size $size"; return 1; }
	pkts=$(sim_delta "$nic" tx_packets)
	bytes=$(sim_delta "$nic" tx_bytes)
	[ "$pkts" -ge 10 ] && [ "$pkts" -lt 20 ] &&
		[ "$bytes" -ge $((10 * (size + hdr))) ] && return 0
	echo "# nic$nic sent $pkts frames, $bytes bytes for ten $size-byte pings"
	return 1
}
