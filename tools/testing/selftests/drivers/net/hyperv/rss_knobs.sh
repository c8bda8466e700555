#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# RSS knobs beyond rss.sh: `ethtool -X weight w0 w1 ...` gives the table
# ethtool computes from the weights, which `ethtool -x` reads back exactly
# and the simulator's rss_table shows, and flows land where it says (all
# weight on the last queue: the flows arrive there); `-X default` brings
# back the default spread (entry i -> queue i % channels).  A key the host
# refuses (refuse_set_oid on OID_GEN_RSS_PARAMETERS) is an error and the old
# key and table stay in force, in `ethtool -x` and in the simulator; so is a
# table the host refuses.  Invalid input (a key of the wrong length,
# `equal 0`, `equal` beyond the channel count, a weight on a queue that does
# not exist, a hash function other than Toeplitz) is an error and changes
# nothing.  Traffic crosses after every step.

source "$(dirname "$0")/hv_lib.sh"

hv_init queues=4

OID_RSS_PARAMS=0x00010204

# rk_state: key and table as -x and the simulator show them, one line
rk_state() {
	echo "x: $(rss_key_x $NS_A "$A") / $(rss_table_x $NS_A "$A")" \
		"sim: $(sim_get 0 rss_key) / $(sim_get 0 rss_table)"
}

# rk_weight_table LEN W...: the table ethtool builds from weights (its
# fill_indir_table(): entry i goes to the queue whose share of the running
# weight sum first exceeds i)
rk_weight_table() {
	local len=$1
	shift
	awk -v len="$len" -v w="$*" 'BEGIN {
		n = split(w, wt, " ")
		for (k = 1; k <= n; k++) sum += wt[k]
		j = 0; part = 0
		for (i = 0; i < len; i++) {
			while (i >= int(len * part / sum)) { j++; part += wt[j] }
			printf "%s%d", (i ? " " : ""), j - 1
		}
		print "" }'
}

# rk_default_table LEN N: entry i -> queue i % N
rk_default_table() {
	awk -v len="$1" -v n="$2" 'BEGIN {
		for (i = 0; i < len; i++) printf "%s%d", (i ? " " : ""), i % n
		print "" }'
}

# rk_rand_key: 40 random bytes as aa:bb:...
rk_rand_key() {
	od -An -tx1 -N"${1:-40}" /dev/urandom | tr -s ' \n' ' ' |
		sed 's/^ //; s/ $//; s/ /:/g'
}

# rk_traffic: ping both ways and 256 KiB over TCP from b to a (received on
# nic0, through the table under test), intact
rk_traffic() {
	wait_for 10 ina ping -c 1 -W 1 $IP_B >/dev/null
	ping_ok $NS_A $IP_B || { info "ping a -> b failed"; return 1; }
	ping_ok $NS_B $IP_A || { info "ping b -> a failed"; return 1; }
	transfer_port_ok $NS_B $NS_A $IP_A 262144 7301
}

# rk_queue_rx NIC Q: rx_packets of one receive queue of NIC
rk_queue_rx() { sim_chan_stat "$1" "$2" rx_packets; }

# rk_flows: 8 TCP flows from b to a for 2 s; sets QRX[q] to the packets
# each receive queue of nic0 got meanwhile
declare -a QRX
rk_flows() {
	local q base=() pid
	for q in $(seq 0 $((queues - 1))); do base[q]=$(rk_queue_rx 0 "$q"); done
	ip netns exec $NS_A timeout 30 iperf3 -s -1 -p 5302 >/dev/null 2>&1 &
	pid=$!
	wait_for 5 ip netns exec $NS_A sh -c "netstat -ltn | grep -q ':5302 '"
	ip netns exec $NS_B timeout 25 iperf3 -c $IP_A -p 5302 -P 8 -t 2 \
		--connect-timeout 5000 >/dev/null 2>&1 || info "iperf3 with 8 flows failed"
	kill $pid 2>/dev/null
	wait $pid 2>/dev/null
	for q in $(seq 0 $((queues - 1))); do
		QRX[q]=$(( $(rk_queue_rx 0 "$q") - base[q] ))
	done
	info "packets per receive queue of nic0: ${QRX[*]}"
}

hv_pair_checked

queues=$(ip netns exec $NS_A ethtool -l "$A" |
	awk '$1 == "Combined:" { v = $2 } END { print v }')
if [ "${queues:-0}" -lt 2 ]; then
	fail "at least 2 channels for RSS (have '$queues'; guest CPUs $(nproc))"
	hv_unpair
	hv_finish
fi
key0=$(rss_key_x $NS_A "$A")
table0=$(rss_table_x $NS_A "$A")
tlen=$(echo "$table0" | wc -w)
info "$queues channels, table of $tlen entries, key $key0"
[ ${#key0} = 80 ] && [ "$tlen" -ge 16 ] && ok "ethtool -x shows a 40-byte key and a table" ||
	{ fail "ethtool -x shows a 40-byte key and a table (key '$key0', $tlen entries)"
	  hv_unpair; hv_finish; }
expect_eq "at probe, the table is the default spread over $queues queues" \
	"$(rk_default_table "$tlen" "$queues")" "$table0"

# -X weight: several weight lists, the last all on the highest queue
last=$((queues - 1))
wl=()
wl+=("$(seq 1 "$queues" | tr '\n' ' ')")			# 1 2 .. n
wl+=("$(seq "$queues" -1 1 | tr '\n' ' ')")		# n .. 2 1
wl+=("3 1")						# only the first two
wl+=("1 $(printf '0 %.0s' $(seq 1 $last))")		# all on queue 0
wl+=("$(printf '0 %.0s' $(seq 1 $last))1")		# all on the last
for w in "${wl[@]}"; do
	w=$(echo $w)
	want=$(rk_weight_table "$tlen" $w)
	if ! ip netns exec $NS_A ethtool -X "$A" weight $w; then
		fail "ethtool -X weight $w accepted"
		continue
	fi
	ok "ethtool -X weight $w accepted"
	expect_eq "weight $w: ethtool -x reads back the table the weights give" \
		"$want" "$(rss_table_x $NS_A "$A")"
	expect_eq "weight $w: the simulator's rss_table matches" \
		"$want" "$(sim_get 0 rss_table)"
	expect_eq "weight $w: the key stays (-x and simulator)" "$key0 $key0" \
		"$(rss_key_x $NS_A "$A") $(sim_get 0 rss_key)"
	check "weight $w: ping both ways and TCP intact" rk_traffic
done

# The table decides where flows land: everything on the last queue now
rk_flows
others=0
for q in $(seq 0 $((last - 1))); do others=$((others + QRX[q])); done
# queue 0 also takes frames the host does not hash (ARP)
[ "${QRX[last]}" -ge 50 ] && [ "$others" -le 30 ] &&
	ok "weight all on queue $last: 8 TCP flows land on queue $last" ||
	fail "weight all on queue $last: 8 TCP flows land on queue $last (per queue: ${QRX[*]})"

# -X default
want=$(rk_default_table "$tlen" "$queues")
check "ethtool -X default accepted" ip netns exec $NS_A ethtool -X "$A" default
expect_eq "-X default: ethtool -x reads back the default spread" "$want" \
	"$(rss_table_x $NS_A "$A")"
expect_eq "-X default: the simulator's rss_table matches" "$want" \
	"$(sim_get 0 rss_table)"
check "-X default: ping both ways and TCP intact" rk_traffic

# A key the host refuses.  Put a table that is not the default in force
# first, so that a fall back to the default would show.
ip netns exec $NS_A ethtool -X "$A" weight 1 3 ||
	fail "ethtool -X weight 1 3 accepted"
before=$(rk_state)
r0=$(sim_stat 0 refused_sets)
echo $OID_RSS_PARAMS > "$SIM/nic0/faults/refuse_set_oid"
if ip netns exec $NS_A ethtool -X "$A" hkey "$(rk_rand_key)" 2>/dev/null; then
	fail "-X hkey the host refuses: an error"
else
	ok "-X hkey the host refuses: an error"
fi
expect_eq "-X hkey refused: the host refused a set" 1 \
	$(( $(sim_stat 0 refused_sets) > r0 ))
expect_eq "-X hkey refused: the old key and table stay (-x and simulator)" \
	"$before" "$(rk_state)"
# A table the host refuses
if ! hv_pending refused-table; then
	r0=$(sim_stat 0 refused_sets)
	if ip netns exec $NS_A ethtool -X "$A" equal 1 2>/dev/null; then
		fail "refused-table: -X equal 1 the host refuses is an error"
	else
		ok "refused-table: -X equal 1 the host refuses is an error"
	fi
	expect_eq "refused-table: the host refused a set" 1 \
		$(( $(sim_stat 0 refused_sets) > r0 ))
	expect_eq "refused-table: the old key and table stay (-x and simulator)" \
		"$before" "$(rk_state)"
fi
echo 0 > "$SIM/nic0/faults/refuse_set_oid"
check "after the refusals: ping both ways and TCP intact" rk_traffic

# With the fault gone the same kind of change goes through
new=$(rk_rand_key)
check "fault off: ethtool -X hkey accepted" \
	ip netns exec $NS_A ethtool -X "$A" hkey "$new"
new=$(echo "$new" | tr -d ':')
expect_eq "fault off: the new key reads back (-x and simulator)" "$new $new" \
	"$(rss_key_x $NS_A "$A") $(sim_get 0 rss_key)"

# Invalid input: an error, nothing changes
before=$(rk_state)
bad=("hkey $(rk_rand_key 39)" "hkey $(rk_rand_key 41)" "equal 0"
     "equal $((queues + 1))" "weight $(printf '0 %.0s' $(seq 1 $queues))1"
     "hfunc xor")
for arg in "${bad[@]}"; do
	short=$arg
	case $arg in hkey*) short="hkey of $(( (${#arg} - 4) / 3 )) bytes" ;; esac
	if ip netns exec $NS_A ethtool -X "$A" $arg 2>/dev/null; then
		fail "invalid -X $short: an error"
	else
		ok "invalid -X $short: an error"
	fi
	expect_eq "invalid -X $short: key and table unchanged (-x and simulator)" \
		"$before" "$(rk_state)"
done
check "after the invalid input: ping both ways and TCP intact" rk_traffic

hv_unpair
hv_finish
