#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: boot the guest on the simulated Hyper-V host and tour the
# driver (ours when it is built, else Debian's own), printing every command.
ROOT=$(cd "$(dirname "$0")/.." && pwd)
exec "$ROOT/scripts/vm-run" --timeout 300 --exec "$ROOT/scripts/demo-guest.sh" "$@"
