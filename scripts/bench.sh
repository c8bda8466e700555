#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: one boot, the same measurements for our driver, the reference
# driver and a veth pair; the median of BENCH_RUNS runs (default 3) of each;
# a table with ratios on screen and JSON in out/bench.json.
#
#   BENCH_TIME=4 BENCH_RUNS=3 BENCH_CHANNELS=n HV_SMP=2 make bench
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/out
mkdir -p "$OUT"
LOG=$OUT/bench.log
export BENCH_TIME=${BENCH_TIME:-4} BENCH_RUNS=${BENCH_RUNS:-3}

# The guest reads its settings from a small prologue in front of the script.
CONFIGS=${BENCH_CONFIGS:-ours ref veth ours-vf ref-vf}
{
	echo "export BENCH_TIME=$BENCH_TIME BENCH_RUNS=$BENCH_RUNS"
	echo "export BENCH_CHANNELS=${BENCH_CHANNELS:-} BENCH_CONFIGS='$CONFIGS'"
	cat "$ROOT/scripts/bench-guest.sh"
} > "$OUT/bench-run.sh"
# The -vf configurations need a VF for each of the two NICs
vf=()
case " $CONFIGS" in *-vf\ *|*-vf) vf=(--vf 2) ;; esac

echo "bench: ${BENCH_RUNS} runs of ${BENCH_TIME} s per measurement, guest under QEMU (${HV_SMP:-2} CPUs)"
HV_KEEP_LOG=$LOG "$ROOT/scripts/vm-run" -q --timeout 3000 --sim "${BENCH_SIM:-}" \
	"${vf[@]}" --exec "$OUT/bench-run.sh" >/dev/null
rc=$?
grep -q '^BENCH done' "$LOG" || { echo "bench: the guest run failed (rc $rc)"; tail -n 30 "$LOG"; exit 1; }

# Medians, ratios, table and JSON
tr -d '\r' < "$LOG" | awk -v json="$OUT/bench.json" '
	$1 == "BENCH" && NF == 5 {
		k = $2 SUBSEP $3; n[k]++; v[k, n[k]] = $5
		if (!($2 in seenc)) { seenc[$2] = 1; cfg[++nc] = $2 }
		if (!($3 in seenm)) { seenm[$3] = 1; met[++nm] = $3 }
	}
	function median(k,   i, j, t, a, c) {
		c = n[k]
		for (i = 1; i <= c; i++) a[i] = v[k, i] + 0
		for (i = 1; i <= c; i++)
			for (j = i + 1; j <= c; j++)
				if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
	}
	END {
		# the ratio columns: every pair whose two configurations ran
		np = split("ours/ref ref/veth ours/veth ours-vf/ref-vf", pr, " ")
		printf "%-12s", "metric"
		for (c = 1; c <= nc; c++) printf "%12s", cfg[c]
		for (i = 1; i <= np; i++) {
			split(pr[i], q, "/")
			if ((q[1] in seenc) && (q[2] in seenc)) printf "%16s", pr[i]
		}
		printf "\n"
		printf "{\n  \"unit_note\": \"median of runs; tcp in Gbit/s, udp64 in thousands of packets/s, vfgap in ms (lower is better)\",\n  \"results\": {" > json
		for (m = 1; m <= nm; m++) {
			printf "%-12s", met[m]
			printf "%s\n    \"%s\": {", (m > 1 ? "," : ""), met[m] > json
			sep = ""
			delete byname
			for (c = 1; c <= nc; c++) {
				k = cfg[c] SUBSEP met[m]
				if (!n[k]) { printf "%12s", "-"; continue }
				byname[cfg[c]] = median(k)
				printf "%12.3f", byname[cfg[c]]
				printf "%s\"%s\": %.3f", sep, cfg[c], byname[cfg[c]] > json
				sep = ", "
			}
			printf "}" > json
			for (i = 1; i <= np; i++) {
				split(pr[i], q, "/")
				if (!((q[1] in seenc) && (q[2] in seenc))) continue
				if ((q[1] in byname) && (q[2] in byname) && byname[q[2]])
					printf "%16.2f", byname[q[1]] / byname[q[2]]
				else
					printf "%16s", "-"
			}
			printf "\n"
		}
		printf "\n  }\n}\n" > json
	}'
echo "(tcp in Gbit/s, udp64 in thousands of packets/s received, vfgap: the longest run of 10 ms pings lost in a VF revoke, in ms; JSON: out/bench.json)"
grep '^# .*violations' "$LOG"
