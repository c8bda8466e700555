#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make fuzz and make stress: one long selftest on a checking kernel (the
# debug kernel unless KERNEL says otherwise), for one driver (ours unless
# HV_DRIVER says otherwise), with its knobs passed on to the guest.
#
#   scripts/long-run.sh fuzz      HV_FUZZ_BUDGET messages (default 1,000,000),
#                                 HV_FUZZ_SEED, HV_FUZZ_RATE
#   scripts/long-run.sh stress    HV_STRESS_OPS, _RELOADS, _HOTPLUG, _SEED
#
# The log is out/<kernel>/<test>-<driver>.log; the exit status is the test's.
set -u

TEST=${1:?usage: long-run.sh fuzz|stress}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
KERNEL=${KERNEL:-debug}
DRIVER=${HV_DRIVER:-ours}
OUT=$ROOT/out/$KERNEL
mkdir -p "$OUT"

scripts/build-kernel.sh "$KERNEL" || exit 1
make -s KERNEL="$KERNEL" modules > "$OUT/build.log" 2>&1 ||
	{ tail -n 40 "$OUT/build.log"; exit 1; }
# The budget, not the clock, ends a long fuzz run
if [ "$TEST" = fuzz ]; then
	HV_FUZZ_BUDGET=${HV_FUZZ_BUDGET:-1000000}
	HV_FUZZ_SECS=${HV_FUZZ_SECS:-14000}
fi
export HV_FUZZ_BUDGET HV_FUZZ_SECS HV_FUZZ_SEED HV_FUZZ_RATE HV_STRESS_OPS \
	HV_STRESS_RELOADS HV_STRESS_HOTPLUG HV_STRESS_SEED
for v in HV_FUZZ_BUDGET HV_FUZZ_SECS HV_FUZZ_SEED HV_FUZZ_RATE HV_STRESS_OPS \
	 HV_STRESS_RELOADS HV_STRESS_HOTPLUG HV_STRESS_SEED; do
	[ -n "${!v:-}" ] || unset "$v"
done
t0=$SECONDS
scripts/vm-run --kernel "$KERNEL" --driver "$DRIVER" \
	--timeout "${HV_TEST_TIMEOUT:-14400}" --tests "$TEST" 2>&1 |
	tee "$OUT/$TEST-$DRIVER.log"
rc=${PIPESTATUS[0]}
echo "# $TEST on the $KERNEL kernel with $DRIVER: exit $rc in $((SECONDS - t0)) s"
exit "$rc"
