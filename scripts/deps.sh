#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install what the build and the VM runner need, from Debian's packages.
# Quick when everything is already present.  Prints nothing but progress;
# the facts the rest of the build needs are written to $CACHE/env.mk.
#
#   scripts/deps.sh [--check]     --check: only report whether all is there
set -eu

CACHE=${HV_CACHE:-/var/tmp/hv-netvsc-cache}
PKGS="qemu-system-x86 busybox-static ethtool iproute2 iperf3 kmod cpio sparse
      xz-utils bc flex bison libelf-dev libssl-dev gcc libc6-dev make perl"

SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

# The guest kernel ABI comes from the current linux-headers-amd64, never
# from a hard-coded version: its dependency names the versioned package.
resolve_kver() {
	apt-cache depends linux-headers-amd64 2>/dev/null |
		sed -n 's/.*Depends: linux-headers-\(.*\)$/\1/p' | head -n1
}

missing_pkgs() {
	for p in $PKGS "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
			grep -q "install ok installed" || echo "$p"
	done
}

KVER=$(resolve_kver)
if [ -z "$KVER" ]; then
	echo "deps: refreshing the package lists" >&2
	$SUDO apt-get update -qq
	KVER=$(resolve_kver)
fi
[ -n "$KVER" ] || { echo "deps: cannot resolve linux-headers-amd64" >&2; exit 1; }

KDIR=/usr/src/linux-headers-$KVER
IMG=$CACHE/$KVER/image
SRC=$CACHE/$KVER/src
ENV=$CACHE/env.mk

ok=1
need=$(missing_pkgs "linux-headers-$KVER" linux-source-6.1)
[ -z "$need" ] || ok=0
[ -f "$IMG/boot/vmlinuz-$KVER" ] || ok=0
[ -f "$SRC/.done" ] || ok=0
[ -f "$ENV" ] && grep -q "^KVER := $KVER\$" "$ENV" || ok=0

if [ "${1:-}" = --check ]; then
	[ $ok = 1 ] && exit 0
	exit 1
fi

if [ -n "$need" ]; then
	echo "deps: installing" $need >&2
	$SUDO apt-get update -qq || true
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
		--no-install-recommends $need >/dev/null
fi

mkdir -p "$CACHE/$KVER"

# The guest kernel: the image package unpacked, not installed.
if [ ! -f "$IMG/boot/vmlinuz-$KVER" ]; then
	echo "deps: fetching linux-image-$KVER into $IMG" >&2
	tmp=$(mktemp -d)
	(cd "$tmp" && apt-get download -qq "linux-image-$KVER" >/dev/null)
	rm -rf "$IMG"
	dpkg-deb -x "$tmp"/linux-image-"$KVER"_*.deb "$IMG"
	rm -rf "$tmp"
	# Compressed modules are decompressed so that busybox-free tools and
	# the initramfs builder can copy them as they are.
	find "$IMG/lib/modules/$KVER" -name '*.ko.xz' -exec xz -d -f {} +
fi

# From the kernel sources: the two private VMBus headers (for identical
# symbol CRCs in the simulator) and checkpatch with its data files.
if [ ! -f "$SRC/.done" ]; then
	echo "deps: extracting headers and checkpatch from linux-source-6.1" >&2
	tarball=$(ls /usr/src/linux-source-6.1.tar.* | head -n1)
	rm -rf "$SRC"
	mkdir -p "$SRC"
	tar -xf "$tarball" -C "$SRC" --strip-components=1 --wildcards \
		'*/drivers/hv/hyperv_vmbus.h' '*/drivers/hv/hv_trace.h' \
		'*/drivers/net/hyperv/*' \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	touch "$SRC/.done"
fi

cat > "$ENV.tmp" <<EOT
KVER := $KVER
KDIR_GUEST := $KDIR
KIMG := $IMG
KSRC := $SRC
EOT
mv "$ENV.tmp" "$ENV"
echo "deps: ready (guest kernel $KVER)" >&2
