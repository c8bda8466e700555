#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build a checking kernel for the guest from Debian's linux-source-6.1:
# allnoconfig plus scripts/kconfig/guest.config plus the flavour's own
# fragment.  The result is cached outside the clone, keyed by the source
# package's version and a hash of the fragments and of this script, so a
# second run with nothing changed only prints where the kernel is.
#
#   scripts/build-kernel.sh debug    KASAN, UBSAN, KFENCE, lockdep, kmemleak, ...
#   scripts/build-kernel.sh kcsan    the data race detector (no KASAN)
#
# Writes $CACHE/env-<flavour>.mk with the same keys as env.mk (KVER,
# KDIR_GUEST, KIMG, KSRC), which the Makefile and scripts/vm-run read for
# KERNEL=<flavour> and --kernel <flavour>.
set -eu

FLAVOUR=${1:?usage: build-kernel.sh debug|kcsan}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${HV_CACHE:-/var/tmp/hv-netvsc-cache}
FRAG_DIR=$ROOT/scripts/kconfig
[ -f "$FRAG_DIR/$FLAVOUR.config" ] ||
	{ echo "build-kernel: no fragment $FRAG_DIR/$FLAVOUR.config" >&2; exit 2; }

SRCVER=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
	{ echo "build-kernel: linux-source-6.1 is not installed (make deps)" >&2; exit 2; }
KEY=$(cat "$FRAG_DIR/guest.config" "$FRAG_DIR/$FLAVOUR.config" "$0" |
      sha256sum | cut -c1-12)
DIR=$CACHE/kernel-$FLAVOUR-$SRCVER-$KEY
ENV=$CACHE/env-$FLAVOUR.mk

if [ -f "$DIR/.done" ]; then
	cp "$DIR/env.mk" "$ENV"
	echo "build-kernel: $FLAVOUR kernel cached in $DIR" >&2
	exit 0
fi

start=$(date +%s)
echo "build-kernel: building the $FLAVOUR kernel in $DIR" >&2
rm -rf "$DIR"
mkdir -p "$DIR/src" "$DIR/build" "$DIR/image/boot"
tar -xf /usr/src/linux-source-6.1.tar.* -C "$DIR/src" --strip-components=1

{
	cat "$FRAG_DIR/guest.config" "$FRAG_DIR/$FLAVOUR.config"
	echo "CONFIG_LOCALVERSION=\"-hv$FLAVOUR\""
	echo "# CONFIG_LOCALVERSION_AUTO is not set"
} > "$DIR/fragment.config"
make -s -C "$DIR/src" O="$DIR/build" KCONFIG_ALLCONFIG="$DIR/fragment.config" \
	allnoconfig >/dev/null

# Every option asked for must be in the result: an option whose dependency
# is missing is dropped silently by kconfig, and the check would be void.
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=n) opt=${line%%=*}
		! grep -q "^$opt=" "$DIR/build/.config" ||
		{ echo "build-kernel: $opt is set" >&2; bad=1; } ;;
	CONFIG_*=*) grep -qxF "$line" "$DIR/build/.config" ||
		{ echo "build-kernel: asked for $line, got: $(grep "^${line%%=*}=\|${line%%=*} is not" "$DIR/build/.config" || echo nothing)" >&2; bad=1; } ;;
	"# CONFIG_"*" is not set") opt=${line#\# }; opt=${opt%% *}
		! grep -q "^$opt=" "$DIR/build/.config" ||
		{ echo "build-kernel: $opt is set" >&2; bad=1; } ;;
	esac
done < <(awk '	# the last word on each option: a flavour may override the guest
	{ k = $0; sub(/^# /, "", k); sub(/[= ].*/, "", k) }
	k ~ /^CONFIG_/ { last[k] = $0; if (!(k in seen)) { seen[k] = 1; order[n++] = k } }
	END { for (i = 0; i < n; i++) print last[order[i]] }' "$DIR/fragment.config")
[ $bad = 0 ] || { echo "build-kernel: the configuration is not what was asked" >&2; exit 1; }

jobs=$(nproc)
make -s -C "$DIR/build" -j"$jobs" bzImage modules
make -s -C "$DIR/build" INSTALL_MOD_PATH="$DIR/image" INSTALL_MOD_STRIP=1 \
	modules_install >/dev/null
KVER=$(cat "$DIR/build/include/config/kernel.release")
cp "$DIR/build/arch/x86/boot/bzImage" "$DIR/image/boot/vmlinuz-$KVER"
rm -f "$DIR/image/lib/modules/$KVER/build" "$DIR/image/lib/modules/$KVER/source"

cat > "$DIR/env.mk" <<EOT
KVER := $KVER
KDIR_GUEST := $DIR/build
KIMG := $DIR/image
KSRC := $DIR/src
KFLAVOUR := $FLAVOUR
EOT
touch "$DIR/.done"
cp "$DIR/env.mk" "$ENV"
echo "build-kernel: $FLAVOUR kernel $KVER built in $(( $(date +%s) - start )) s" >&2
