#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Stress (make stress; not part of make check): three phases, each under
# traffic, for the debug kernel.
#
#  1. HV_STRESS_OPS (1000) reconfigurations on both NICs, in an order drawn
#     from HV_STRESS_SEED: ethtool -L, -G, the MTU, the link (down, up),
#     ethtool -X (equal N, or the default), ethtool -N rx-flow-hash (tcp4
#     and udp4, sd or sdfn).  Meanwhile files of random bytes cross over
#     TCP both ways, each checked with SHA-256 at the far end, and the
#     counters of /proc/net/dev are sampled.
#  2. HV_STRESS_RELOADS (100) unloads and reloads of the driver while ping
#     floods and a TCP transfer run.
#  3. HV_STRESS_HOTPLUG (100) hot removes and adds of a NIC (the simulator's
#     rescind and add_nic) while a ping flood runs.
#
# Requires afterwards: every change accepted, every transfer intact (a
# transfer cut short is a failure too), counters never went back, traffic
# both ways at the end, memory within 16 MiB of where it was, no kernel
# report (vm-run checks the log and, on the debug kernel, runs kmemleak
# after the test).

source "$(dirname "$0")/hv_lib.sh"

OPS=${HV_STRESS_OPS:-1000}
RELOADS=${HV_STRESS_RELOADS:-100}
HOTPLUG=${HV_STRESS_HOTPLUG:-100}
SEED=${HV_STRESS_SEED:-$(date +%s)}
ST=/tmp/stress
LEAK_KIB=$((16 * 1024))
mkdir -p $ST
rm -rf "${ST:?}"/*

hv_init queues=4
info "seed $SEED: $OPS changes, $RELOADS reloads, $HOTPLUG hot remove/add"
RANDOM=$SEED

st_chan() {	# st_chan NS DEV max|cur
	ip netns exec "$1" ethtool -l "$2" 2>/dev/null | awk -v w="$3" '
		/^Pre-set maximums/ { s = "max" }
		/^Current hardware/ { s = "cur" }
		s == w && $1 == "Combined:" { print $2; exit }'
}

st_ring() {	# st_ring NS DEV: "RX TX", the ring sizes ethtool -g shows now
	ip netns exec "$1" ethtool -g "$2" 2>/dev/null | awk '
		/^Current/ { c = 1 }
		c && $1 == "RX:" { rx = $2 }
		c && $1 == "TX:" { tx = $2 }
		END { print rx, tx }'
}

# st_mem: free KiB (MemAvailable + per-CPU lists) and kmalloc KiB.  Caches
# are dropped and every slab cache shrunk first; on a KASAN kernel the
# shrink also empties that cache's quarantine, which otherwise holds up to
# 1/32 of the memory in freed objects and reads as a leak.
st_mem() {
	local f
	sync
	echo 3 > /proc/sys/vm/drop_caches
	for f in /sys/kernel/slab/*/shrink; do echo 1 > "$f"; done 2>/dev/null
	sleep 1
	echo "$(( $(awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo) +
		  $(awk '$1 == "count:" { s += $2 } END { print s * 4 }' /proc/zoneinfo) ))" \
		"$(awk '/^kmalloc-/ { s += $3 * $4 } END { printf "%d\n", s / 1024 }' /proc/slabinfo)"
}

# st_mem_info WHEN: where the kernel's memory is, as an info line, so that
# a phase that keeps memory shows (KiB, from /proc/meminfo)
st_mem_info() {
	st_mem >/dev/null	# drops the caches first
	info "$1: $(awk '$1 ~ /^(MemFree|MemAvailable|Shmem|Slab|SUnreclaim|KernelStack|PageTables|VmallocUsed|Percpu):$/ {
		printf "%s %s ", $1, $2 }' /proc/meminfo)"
}

# st_xfer_loop SRC DST IP PORT TAG: until $ST/stop, 1 MiB files of random
# bytes from SRC to DST over TCP; a line per file in $ST/xfer-TAG:
# "ok" or "bad <bytes arrived> <why>"
st_xfer_loop() {
	local src=$1 dst=$2 ip=$3 port=$4 tag=$5 in=$ST/in-$5 out=$ST/out-$5
	local hold=$ST/hold-$5 want got pid
	mkfifo "$hold"
	while [ ! -e $ST/stop ]; do
		dd if=/dev/urandom of="$in" bs=65536 count=16 2>/dev/null
		want=$(sha256sum < "$in" | cut -d' ' -f1)
		rm -f "$out"
		ip netns exec "$dst" timeout 120 nc -l -p "$port" 0<>"$hold" > "$out" &
		pid=$!
		wait_for 10 ip netns exec "$dst" sh -c "netstat -ltn | grep -q ':$port '"
		ip netns exec "$src" timeout 110 nc -w 30 "$ip" "$port" < "$in"
		wait $pid
		got=$(sha256sum < "$out" | cut -d' ' -f1)
		if [ "$want" = "$got" ]; then
			echo ok
		else
			echo "bad $(stat -c %s "$out") of 1048576"
		fi >> $ST/xfer-"$tag"
	done
}

st_sampler() {
	local ns dev
	while [ ! -e $ST/stop ]; do
		for ns in $NS_A $NS_B; do
			[ $ns = $NS_A ] && dev=$A || dev=$B
			ip netns exec $ns cat /proc/net/dev | awk -v ns=$ns -v d="$dev" '
				{ sub(/^ +/, ""); sub(/:/, " ") }
				$1 == d { print ns, d, $2, $3, $10, $11 }'
		done >> $ST/samples
		sleep 0.5
	done
}

st_both() {	# CMD with "@" the device, in a and in b
	local ns dev args a rc=0
	echo "$*" >> $ST/ops
	for ns in $NS_A $NS_B; do
		[ $ns = $NS_A ] && dev=$A || dev=$B
		args=()
		for a in "$@"; do [ "$a" = @ ] && args+=("$dev") || args+=("$a"); done
		ip netns exec $ns "${args[@]}" 2>>$ST/errors ||
			{ echo "$ns: $*" >> $ST/refused; rc=1; }
	done
	return $rc
}

st_traffic() {
	wait_for 20 hv_carrier $NS_A "$A" && wait_for 20 hv_carrier $NS_B "$B" ||
		return 1
	wait_for 10 ina ping -c 1 -W 1 $IP_B >/dev/null
	ping_ok $NS_A $IP_B && ping_ok $NS_B $IP_A &&
		transfer_port_ok $NS_A $NS_B $IP_B 1048576 7601 &&
		transfer_port_ok $NS_B $NS_A $IP_A 1048576 7602
}

# ---------------------------------------------------------------- phase 1
hv_pair_checked
ch_max=$(st_chan $NS_A "$A" max)
ch0=$(st_chan $NS_A "$A" cur)
rings=("64 16" "256 64" "1024 128" "512 32")
mtus=(1500 9000 1280)
hashes=(sd sdfn)

ring0=$(st_ring $NS_A "$A")

# st_ring_back: the ring sizes the NICs had at the start, so that memory
# is compared between like configurations (the receive buffer's size
# follows -G rx)
st_ring_back() {
	[ "$cur_ring" = "$ring0" ] && return
	st_both ethtool -G @ rx "${ring0% *}" tx "${ring0#* }"
	cur_ring=$ring0
}

# a warm-up of every kind of change, so that memory kept for good after a
# first use is in the "before" figure; it ends where it began
st_both ethtool -L @ combined 1
st_both ethtool -G @ rx 64 tx 16
cur_ring="64 16"
st_ring_back
st_both ip link set dev @ mtu 9000
st_both ip link set dev @ mtu 1500
st_both ethtool -L @ combined "$ch0"
rm -f $ST/refused $ST/errors $ST/ops
check "traffic before the stress" st_traffic
mem0=$(st_mem)
st_mem_info "before"
info "before: free, kmalloc (KiB): $mem0"

st_sampler & sampler=$!
st_xfer_loop $NS_A $NS_B $IP_B 7611 ab & xab=$!
st_xfer_loop $NS_B $NS_A $IP_A 7612 ba & xba=$!
declare -A kinds=()
cur_ch=$ch0 tbl=0
t0=$SECONDS
for i in $(seq "$OPS"); do
	# ethtool refuses a change to what is already set: only real changes
	case $((RANDOM % 6)) in
	0)	k=L; n=$((RANDOM % ch_max + 1))
		[ "$n" = "$cur_ch" ] && n=$((n % ch_max + 1))
		# The kernel refuses fewer channels than a table set with -X
		# uses (EINVAL): as a user would, the table goes back first
		if [ "$n" != "$cur_ch" ] && [ "$tbl" -gt "$n" ]; then
			st_both ethtool -X @ default
			tbl=0
		fi
		[ "$n" = "$cur_ch" ] || { st_both ethtool -L @ combined "$n"; cur_ch=$n; } ;;
	1)	k=G; r=${rings[RANDOM % ${#rings[@]}]}
		[ "$r" = "$cur_ring" ] && r=${rings[0]}
		[ "$r" = "$cur_ring" ] && r=${rings[1]}
		set -- $r
		st_both ethtool -G @ rx "$1" tx "$2"; cur_ring=$r ;;
	2)	k=mtu; st_both ip link set dev @ mtu ${mtus[RANDOM % ${#mtus[@]}]} ;;
	3)	k='link'; nic=$((RANDOM % 2))
		echo "nic$nic link down/up" >> $ST/ops
		sim_set $nic link 0
		sleep 0.$((RANDOM % 3 + 1))
		sim_set $nic link 1 ;;
	4)	k=X; n=$(st_chan $NS_A "$A" cur)
		if [ $((RANDOM % 3)) = 0 ] || [ "${n:-1}" -lt 2 ]; then
			st_both ethtool -X @ default
			tbl=0
		else
			tbl=$((RANDOM % n + 1))
			st_both ethtool -X @ equal $tbl
		fi ;;
	5)	k=N; p=tcp4; [ $((RANDOM % 2)) = 0 ] && p=udp4
		st_both ethtool -N @ rx-flow-hash $p ${hashes[RANDOM % 2]} ;;
	esac
	kinds[$k]=$((${kinds[$k]:-0} + 1))
	[ $((i % 100)) = 0 ] && info "$i changes, $((SECONDS - t0)) s"
done
touch $ST/stop
wait $sampler $xab $xba
rm -f $ST/in-* $ST/out-*	# tmpfs: they would read as memory kept
info "changes: L ${kinds[L]:-0} G ${kinds[G]:-0} mtu ${kinds[mtu]:-0} link ${kinds[link]:-0} X ${kinds[X]:-0} N ${kinds[N]:-0} in $((SECONDS - t0)) s"

refused=$(cat $ST/refused 2>/dev/null | wc -l)
expect_eq "phase 1: every change was accepted" 0 "$refused"
[ "$refused" = 0 ] || info "refused: $(sort $ST/refused | uniq -c | sort -rn | head -n 8 | paste -sd'|'); errors: $(sort $ST/errors | uniq -c | sort -rn | head -n 8 | paste -sd'|')"
good=$(cat $ST/xfer-ab $ST/xfer-ba 2>/dev/null | grep -c '^ok$')
bad=$(cat $ST/xfer-ab $ST/xfer-ba 2>/dev/null | grep -c '^bad')
info "transfers: $good intact, $bad not ($(grep -h '^bad' $ST/xfer-ab $ST/xfer-ba 2>/dev/null | head -n 3 | paste -sd'|'))"
check "phase 1: every TCP transfer arrived whole and intact ($good files of 1 MiB, both ways)" \
	eval '[ "$bad" = 0 ] && [ "$good" -gt 0 ]'
back=$(awk '{ k = $1
	if (k in p) { split(p[k], o, " ")
		for (i = 3; i <= 6; i++) if ($i + 0 < o[i] + 0) {
			print $1 " field " i - 2 " " o[i] " -> " $i; exit } }
	p[k] = $0 }' $ST/samples)
check "phase 1: /proc/net/dev counters never went back ($(wc -l < $ST/samples) samples${back:+: $back})" \
	eval '[ -z "$back" ]'
# back to the first configuration (the MTU before the rings: at MTU 9000
# the default receive buffer's count of sections is out of range)
[ "$cur_ch" = "$ch0" ] || st_both ethtool -L @ combined "$ch0"
st_both ip link set dev @ mtu 1500
st_ring_back
st_both ethtool -X @ default
conf=$(for ns in $NS_A $NS_B; do
	[ $ns = $NS_A ] && dev=$A || dev=$B
	echo "$(st_chan $ns "$dev" cur) $(st_ring $ns "$dev")"
done | sort -u | paste -sd'|')
check "phase 1: both NICs back to $ch0 channels and rings '$ring0' (now '$conf')" \
	test "$conf" = "$ch0 $ring0"
check "phase 1: traffic both ways afterwards" st_traffic
st_mem_info "after phase 1"
hv_unpair

# ---------------------------------------------------------------- phase 2
fails=0
t0=$SECONDS
for i in $(seq "$RELOADS"); do
	# a namespace's devices come back to the first one only when the
	# kernel's cleanup of it runs, after ip netns del has returned
	wait_for 10 eval 'hv_has_dev 0 && hv_has_dev 1'
	hv_pair > $ST/pair.out 2>&1 || {
		fails=$((fails + 1))
		info "reload $i: no pair: $(tr '\n' ' ' < $ST/pair.out) a: $(ina ip -br link 2>&1 | tr '\n' ' ') b: $(inb ip -br link 2>&1 | tr '\n' ' ')"
	}
	ina ping -A -q -w 30 $IP_B >/dev/null 2>&1 & p1=$!
	inb ping -A -q -w 30 $IP_A >/dev/null 2>&1 & p2=$!
	inb timeout 30 nc -l -p 7621 >/dev/null 2>&1 & p3=$!
	(dd if=/dev/zero bs=65536 count=4096 2>/dev/null |
		ina timeout 30 nc -w 2 $IP_B 7621 >/dev/null 2>&1) & p4=$!
	sleep 0.$((RANDOM % 9 + 1))
	# the driver goes while both namespaces still send through it
	hv_unload || { fails=$((fails + 1)); info "reload $i: rmmod failed"; }
	kill $p1 $p2 $p3 $p4 2>/dev/null
	wait $p1 $p2 $p3 $p4 2>/dev/null
	hv_unpair
	hv_load || { fails=$((fails + 1)); info "reload $i: load failed"; break; }
	[ $((i % 20)) = 0 ] && info "$i reloads, $((SECONDS - t0)) s"
done
expect_eq "phase 2: $RELOADS unloads and reloads under traffic" 0 "$fails"
hv_pair >/dev/null 2>&1
check "phase 2: traffic both ways afterwards" st_traffic
st_mem_info "after phase 2"
hv_unpair

# ---------------------------------------------------------------- phase 3
# a and b stay up; a third NIC comes and goes in namespace c
wait_for 10 eval 'hv_has_dev 0 && hv_has_dev 1'
hv_pair > $ST/pair.out 2>&1 ||
	info "phase 3: no pair: $(tr '\n' ' ' < $ST/pair.out)"
fails=0
t0=$SECONDS
for i in $(seq "$HOTPLUG"); do
	n=$(hv_add_nic "") && wait_for 20 hv_has_dev "$n" ||
		{ fails=$((fails + 1)); info "hotplug $i: no netdev for the new NIC"; break; }
	hv_plug "$n" || { fails=$((fails + 1)); info "hotplug $i: nic$n passes no traffic"; }
	ip netns exec $NS_C ping -A -q -w 30 $IP_A >/dev/null 2>&1 & p1=$!
	ina ping -A -q -w 30 $IP_C >/dev/null 2>&1 & p2=$!
	sleep 0.$((RANDOM % 9 + 1))
	echo 1 > "$SIM/nic$n/rescind"
	wait_for 20 test ! -d "$SIM/nic$n" ||
		{ fails=$((fails + 1)); info "hotplug $i: nic$n still offered"; }
	wait_for 20 eval '! ip -n $NS_C link show "$C" >/dev/null 2>&1' ||
		{ fails=$((fails + 1)); info "hotplug $i: $C still there"; }
	kill $p1 $p2 2>/dev/null
	wait $p1 $p2 2>/dev/null
	ip netns del $NS_C 2>/dev/null
	[ $((i % 20)) = 0 ] && info "$i hot remove/add, $((SECONDS - t0)) s"
done
expect_eq "phase 3: $HOTPLUG hot adds and removes under traffic" 0 "$fails"
check "phase 3: traffic both ways afterwards" st_traffic
st_mem_info "after phase 3"
hv_unpair

st_mem_info "at the end, namespaces gone"
mem1=$(st_mem)
info "after: free, kmalloc (KiB): $mem1"
set -- $mem0 $mem1
less=$(($1 - $3)) more=$(($4 - $2))
check "free memory within 16 MiB of before ($less KiB less)" \
	test "$less" -le "$LEAK_KIB"
check "kmalloc slabs within 16 MiB of before ($more KiB more)" \
	test "$more" -le "$LEAK_KIB"
hv_finish
