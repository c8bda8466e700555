#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make reconfig-time: how long traffic stops while a NIC changes its channel
# count (ethtool -L), its ring sizes (ethtool -G) or its MTU, for each
# driver there is (ours when built, the reference).  One boot runs
# scripts/reconfig-guest.sh: b pings a every RECONF_INTERVAL s (0.01) and
# the longest gap between replies around the change, less the interval, is
# the outage.  The median of RECONF_RUNS runs (default 5) of each; a table
# in milliseconds on screen and JSON in out/reconfig.json.  "none" is the
# same measurement with no change (the noise floor); "refused" means the
# driver refused the change, "down" that traffic did not come back in 10 s,
# "n/a" that the driver has one channel at most.
#
#   RECONF_RUNS=5 RECONF_INTERVAL=0.01 HV_SMP=2 scripts/reconfig-time.sh
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$ROOT/out
mkdir -p "$OUT"
LOG=$OUT/reconfig.log
RUNS=${RECONF_RUNS:-5}
IV=${RECONF_INTERVAL:-0.01}

# The guest reads its settings from a small prologue in front of the script.
{
	echo "export RECONF_RUNS=$RUNS RECONF_INTERVAL=$IV"
	echo "export RECONF_DRIVERS='${RECONF_DRIVERS:-ours ref}'"
	cat "$ROOT/scripts/reconfig-guest.sh"
} > "$OUT/reconfig-run.sh"

echo "reconfig-time: ${RUNS} runs of each change, ping every ${IV} s, guest under QEMU (${HV_SMP:-2} CPUs)"
HV_KEEP_LOG=$LOG "$ROOT/scripts/vm-run" -q --timeout 1800 --sim "${RECONF_SIM:-queues=4}" \
	--exec "$OUT/reconfig-run.sh" >/dev/null
rc=$?
grep -q '^RECONF done' "$LOG" ||
	{ echo "reconfig-time: the guest run failed (rc $rc)"; tail -n 30 "$LOG"; exit 1; }

# Medians (a run that was refused or never recovered makes the median that
# word when it is most of the runs), table and JSON
tr -d '\r' < "$LOG" | awk -v json="$OUT/reconfig.json" -v runs="$RUNS" -v iv="$IV" '
	$1 == "RECONF" && NF == 6 {
		k = $2 SUBSEP $3; n[k]++; v[k, n[k]] = $5; c[k, n[k]] = $6
		if (!($2 in seend)) { seend[$2] = 1; drv[++nd] = $2 }
		if (!($3 in seenc)) { seenc[$3] = 1; chg[++nc] = $3 }
	}
	function median(k, arr,   i, j, t, a, m, bad, w) {
		m = 0; bad = 0
		for (i = 1; i <= n[k]; i++) {
			if (arr[k, i] ~ /^[0-9.]+$/) a[++m] = arr[k, i] + 0
			else { bad++; w = arr[k, i] }
		}
		if (bad > m) return w
		for (i = 1; i <= m; i++)
			for (j = i + 1; j <= m; j++)
				if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
	}
	function num(x) { return x ~ /^[0-9.]+$/ ? sprintf("%.1f", x) : "null" }
	function cell(x) { return x ~ /^[0-9.]+$/ ? sprintf("%.1f", x) : x }
	END {
		printf "%-10s", "change"
		for (d = 1; d <= nd; d++) printf "%14s", drv[d] " ms"
		for (d = 1; d <= nd; d++) printf "%14s", drv[d] " cmd ms"
		printf "\n"
		printf "{\n  \"unit\": \"ms\",\n  \"runs\": %d,\n  \"ping_interval_s\": %s,\n", runs, iv > json
		printf "  \"note\": \"outage: median of runs of the longest gap between ping replies around the change, less the interval; command: how long the command took; none: no change (noise floor); null: refused or no recovery\",\n" > json
		printf "  \"outage_ms\": {" > json
		for (x = 1; x <= nc; x++) {
			printf "%-10s", chg[x]
			printf "%s\n    \"%s\": {", (x > 1 ? "," : ""), chg[x] > json
			for (d = 1; d <= nd; d++) {
				o[d] = median(drv[d] SUBSEP chg[x], v)
				printf "%14s", cell(o[d])
				printf "%s\"%s\": %s", (d > 1 ? ", " : ""), drv[d], num(o[d]) > json
			}
			printf "}" > json
			for (d = 1; d <= nd; d++) {
				cm[x, d] = median(drv[d] SUBSEP chg[x], c)
				printf "%14s", cell(cm[x, d])
			}
			printf "\n"
		}
		printf "\n  },\n  \"command_ms\": {" > json
		for (x = 1; x <= nc; x++) {
			printf "%s\n    \"%s\": {", (x > 1 ? "," : ""), chg[x] > json
			for (d = 1; d <= nd; d++)
				printf "%s\"%s\": %s", (d > 1 ? ", " : ""), drv[d], num(cm[x, d]) > json
			printf "}" > json
		}
		printf "\n  }\n}\n" > json
	}'
echo "(milliseconds without ping replies, median of $RUNS; JSON: out/reconfig.json)"
grep '^# ' "$LOG" | tr -d '\r' | grep -v '^# SKIP'
