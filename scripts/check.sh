#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: the build with W=1 and sparse, checkpatch on our sources, the
# simulator's own unit tests, and every selftest in the guest with each
# driver (the reference always, ours when it is in the tree), side by side.
# Ends with "N passed, N failed"; exits non-zero when anything failed.
#
#   HV_DRIVERS="ref ours"   drivers to run the selftests with
#   HV_TESTS="probe rss"    only these selftests
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
CACHE=${HV_CACHE:-/var/tmp/hv-netvsc-cache}
SIM=tools/testing/selftests/drivers/net/hyperv/sim
DRV=drivers/net/hyperv
OUT=$ROOT/out

pass=0
fail=0
failed=()

result() {	# result NAME STATUS
	if [ "$2" = 0 ]; then
		pass=$((pass + 1)); echo "ok - $1"
	else
		fail=$((fail + 1)); failed+=("$1"); echo "not ok - $1"
	fi
}

scripts/deps.sh --check || scripts/deps.sh || exit 1
# shellcheck disable=SC1090
. <(sed 's/ := /=/' "$CACHE/env.mk")

echo "# ---- build with W=1 and sparse (C=2)"
make -s clean >/dev/null 2>&1	# also empties out/
mkdir -p "$OUT"
make KBUILD_OPTS="W=1 C=2" modules > "$OUT/build.log" 2>&1
rc=$?
grep -v 'Skipping BTF generation' "$OUT/build.log" |
	grep -E 'warning:|error:|: note:|sparse:' > "$OUT/build.warnings"
if [ $rc != 0 ] || [ -s "$OUT/build.warnings" ]; then
	tail -n 40 "$OUT/build.log"
	result "build clean with W=1 and sparse" 1
else
	result "build clean with W=1 and sparse" 0
fi

echo "# ---- checkpatch --strict"
CP="perl $KSRC/scripts/checkpatch.pl --strict --no-tree --quiet --show-types
    --ignore FILE_PATH_CHANGES,SPDX_LICENSE_TAG"
cpfail=0
for f in $(git ls-files "$SIM/*.[ch]" "$SIM/test/*.[ch]" "$DRV/*.[ch]") \
	 $(git ls-files --others --exclude-standard "$SIM/*.[ch]" "$SIM/test/*.[ch]" "$DRV/*.[ch]"); do
	[ -f "$f" ] || continue
	if ! $CP -f "$f" > "$OUT/checkpatch.txt" 2>&1; then
		cat "$OUT/checkpatch.txt"
		cpfail=1
	fi
done
result "checkpatch --strict on our sources" $cpfail

echo "# ---- the simulator's own unit tests"
if [ -f "$SIM/test/Makefile" ]; then
	make -s -C "$SIM/test" run 2>&1 | tee "$OUT/simtest.tap"
	result "simulator unit tests" "${PIPESTATUS[0]}"
fi

echo "# ---- selftests in the guest"
[ -f "$SIM/hv_vmbus_sim.ko" ] || { result "selftests: simulator built" 1; }
drivers=${HV_DRIVERS:-ref}
if [ -z "${HV_DRIVERS:-}" ] && [ -f "$DRV/hv_netvsc.ko" ]; then
	drivers="ref ours"
fi
for d in $drivers; do
	# shellcheck disable=SC2086
	scripts/vm-run --driver "$d" --tests ${HV_TESTS:-} 2>&1 |
		tee "$OUT/selftests-$d.tap"
done

# Side by side: one line per selftest, one column per driver
declare -A res
tests=()
for d in $drivers; do
	while read -r line; do
		t=$(echo "$line" | sed -E 's/^(not )?ok [0-9]+ ([^ ]+).*/\2/')
		case $line in
		"not ok "*) r=FAIL ;;
		*"# SKIP"*) r=skip ;;
		*) r=pass ;;
		esac
		[ -n "${res[$t]+x}" ] || tests+=("$t")
		res[$t]=1
		res[$t,$d]=$r
	done < <(grep -E '^(not )?ok [0-9]+ [^ ]+\.sh' "$OUT/selftests-$d.tap")
done
# Subtest counts, from each script's closing "# NAME (DRIVER): N passed,
# N failed, N skipped" line
declare -A sub
for d in $drivers; do
	while read -r t p f s; do
		sub[$t.sh,$d]="$p/$f/$s"
	done < <(tr -d '\r' < "$OUT/selftests-$d.tap" |
		 sed -nE 's/^ *# ([a-z0-9_]+) \([a-z]+\): ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$/\1 \2 \3 \4/p' |
		 sort -u)
done
echo
echo "# each cell: verdict and subtests passed/failed/skipped"
printf '%-24s' "selftest"; for d in $drivers; do printf '%-20s' "$d"; done; echo
for t in "${tests[@]}"; do
	printf '%-24s' "$t"
	for d in $drivers; do
		r=${res[$t,$d]:-missing}
		printf '%-20s' "$r ${sub[$t,$d]:-}"
		case $r in
		pass) pass=$((pass + 1)) ;;
		skip) ;;
		*) fail=$((fail + 1)); failed+=("$t ($d)") ;;
		esac
	done
	echo
done
echo
skipped=0
for t in "${tests[@]}"; do
	for d in $drivers; do
		[ "${res[$t,$d]:-}" = skip ] && skipped=$((skipped + 1))
	done
done
for d in $drivers; do
	grep -qE '^(not )?ok [0-9]+ ' "$OUT/selftests-$d.tap" || {
		fail=$((fail + 1)); failed+=("selftests ($d): no result"); }
done
for d in $drivers; do
	tot=$(for t in "${tests[@]}"; do echo "${sub[$t,$d]:-0/0/0}"; done |
	      awk -F/ '{ p += $1; f += $2; s += $3 } END { print p, f, s }')
	set -- $tot
	echo "# $d: $1 subtests passed, $2 failed, $3 skipped"
done
for f in "${failed[@]}"; do echo "failed: $f"; done
echo "# $skipped selftests skipped whole; every skip says why in the output above"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
