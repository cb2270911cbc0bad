#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# build.sh: build the tiny test guest from Debian's packages (at test time,
# no image in the repository).
#
#   tests/guest/build.sh [OUTDIR]      (default: ${BUILD:-<repo>/build}/guest)
#   tests/guest/build.sh --check [OUTDIR]
#                                      exit 0 when the image there is
#                                      complete and up to date, else 1 with
#                                      the reason; downloads and writes
#                                      nothing (what a test calls: building
#                                      is the install step's, `make deps`)
#
# Produces OUTDIR/vmlinux (Debian's kernel, uncompressed ELF, booted via PVH),
# OUTDIR/initrd.img (busybox-static + memhog + workload + virtio modules +
# ext4's modules (loaded only with a disk) +
# Debian's qemu-guest-agent with the shared libraries ldd names + init.sh as
# /init) and OUTDIR/initrd-noballoon.img (the same without virtio_balloon).
# The agent is started by /init only when the domain has the virtio-serial
# port org.qemu.guest_agent.0 (tests/lib/guests.sh adds it unless --noagent).
#
# The kernel package (linux-image-<abi>-amd64, whatever linux-image-amd64
# depends on today; override with KPKG=...) is downloaded with apt-get
# download, never installed; it is re-fetched only when that name changes
# (OUTDIR/kernel/kpkg.stamp).  The initrds are rebuilt only when the kernel
# package, busybox-static's or qemu-guest-agent's version or
# init.sh/memhog.c/workload.c/build.sh change
# (OUTDIR/image.stamp holds a sha256 over those).  Concurrent builds are
# serialised with flock; outputs are replaced atomically (rename).
#
# Needs: apt-get (with package lists), dpkg-deb, xz, gzip, gcc + libc6-dev
# (static libc), busybox-static, qemu-guest-agent (installed on the host:
# its binary and libraries are copied, the host never runs it).  Exit status 0 on success; non-zero with a
# message on stderr otherwise.
set -euo pipefail
CHECK=0
if [ "${1:-}" = --check ]; then
	CHECK=1
	shift
fi
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
OUT=${1:-${BUILD:-$ROOT/build}/guest}
if [ "$CHECK" = 1 ] && [ ! -d "$OUT" ]; then
	echo "guest/build.sh: no guest image in $OUT: run make guest-image (make deps does, as root)" >&2
	exit 1
fi
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
BUSYBOX=/bin/busybox
QGA=/usr/sbin/qemu-ga
# Insmod order, from each module's depends= (no modules.dep in the .deb).
MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_balloon virtio_console virtio_blk"
# Loaded by /init only when the domain has a disk (vda): ext4, so that a
# guest's agent has a filesystem it can really freeze; crc32c_generic is
# ext4's and jbd2's soft dependency (the checksums), loaded first.  The
# files are removed from the guest's root after boot either way.
FSMODULES="crc32c_generic crc16 mbcache jbd2 ext4"
# Where each module lives under lib/modules/<version>/kernel.
module_glob() {
	case "$1" in
	virtio_console) echo "drivers/char/$1.ko*" ;;
	virtio_blk) echo "drivers/block/$1.ko*" ;;
	crc32c_generic) echo "crypto/$1.ko*" ;;
	crc16) echo "lib/$1.ko*" ;;
	mbcache) echo "fs/$1.ko*" ;;
	jbd2 | ext4) echo "fs/$1/$1.ko*" ;;
	*) echo "drivers/virtio/$1.ko*" ;;
	esac
}

die() { echo "guest/build.sh: $*" >&2; exit 1; }

exec 9>"$OUT/.build.lock"
flock -w 600 9 || die "timeout waiting for $OUT/.build.lock"

[ -x "$BUSYBOX" ] || die "$BUSYBOX missing (apt-get install busybox-static)"
[ -x "$QGA" ] || die "$QGA missing (apt-get install qemu-guest-agent)"
# resolve_kpkg: the ABI-versioned kernel package linux-image-amd64 depends on.
resolve_kpkg() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ && !k {k=$2} END {print k}'
}
# apt_update: refresh stale or missing package lists once (root only).
UPDATED=0
apt_update() {
	[ "$UPDATED" = 0 ] && [ "$(id -u)" = 0 ] || return 1
	UPDATED=1
	echo "guest/build.sh: apt-get update (package lists missing or stale)" >&2
	apt-get update -q >/dev/null
}
KPKG_FIXED=${KPKG:+1}
if [ -z "${KPKG:-}" ] && [ "$CHECK" = 1 ]; then
	# No package lists to ask (and no update in a check): the kernel the
	# image was built with.
	KPKG=$(resolve_kpkg)
	[ -n "$KPKG" ] || KPKG=$(cat "$OUT/kernel/kpkg.stamp" 2>/dev/null || true)
elif [ -z "${KPKG:-}" ]; then
	KPKG=$(resolve_kpkg)
	[ -n "$KPKG" ] || { apt_update && KPKG=$(resolve_kpkg); }
fi
[ -n "$KPKG" ] || die "cannot resolve the kernel package (apt-get update?)"
KVER=${KPKG#linux-image-}
BBVER=$(dpkg-query -W -f='${Version}' busybox-static)
QGAVER=$(dpkg-query -W -f='${Version}' qemu-guest-agent)
# stamp: hash over every input of the image.
stamp() { { echo "$KPKG $BBVER $QGAVER"; cd "$HERE" && sha256sum init.sh memhog.c workload.c build.sh; } | sha256sum | cut -d' ' -f1; }
STAMP=$(stamp)

if [ "$(cat "$OUT/image.stamp" 2>/dev/null)" = "$STAMP" ] && [ -f "$OUT/vmlinux" ] &&
	[ -f "$OUT/initrd.img" ] && [ -f "$OUT/initrd-noballoon.img" ]; then
	echo "guest image up to date ($KPKG)"
	exit 0
fi
[ "$CHECK" = 0 ] ||
	die "the guest image in $OUT is missing or out of date: run make guest-image (make deps does, as root)"
t0=$(date +%s%N)

# 1. Kernel and modules, cached per kernel package name.
K=$OUT/kernel
have_modules() {
	local m
	for m in $MODULES $FSMODULES; do [ -f "$K/modules/$m.ko" ] || return 1; done
}
if [ "$(cat "$K/kpkg.stamp" 2>/dev/null)" != "$KPKG" ] || [ ! -f "$K/vmlinux" ] || ! have_modules; then
	rm -rf "$K" "$OUT/dl"
	mkdir -p "$K/modules" "$OUT/dl"
	# The archive drops old ABIs at point releases: on failure refresh the
	# lists, resolve again and retry once.
	for try in 1 2; do
		(cd "$OUT/dl" && apt-get download -q "$KPKG" 2>&1 | grep -v -i 'unsandboxed' >&2 || true)
		deb=$(find "$OUT/dl" -maxdepth 1 -name "${KPKG}_*.deb" | awk 'NR == 1')
		[ -n "$deb" ] && break
		[ "$try" = 1 ] && apt_update && [ -z "${KPKG_FIXED:-}" ] && KPKG=$(resolve_kpkg) && KVER=${KPKG#linux-image-}
	done
	[ -n "$deb" ] || die "apt-get download $KPKG failed"
	mkdir "$OUT/dl/x"
	globs=""
	for m in $MODULES $FSMODULES; do globs="$globs ./lib/modules/$KVER/kernel/$(module_glob "$m")"; done
	# shellcheck disable=SC2086 # word-split on purpose: one pattern each
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$OUT/dl/x" --wildcards "./boot/vmlinuz-$KVER" $globs
	vmlinuz=$OUT/dl/x/boot/vmlinuz-$KVER
	# The bzImage carries the kernel as one xz stream: extract the ELF, which
	# QEMU enters directly via PVH (half the TCG boot time of a bzImage).
	off=$(LC_ALL=C grep -aobUP '\xfd7zXZ\x00' "$vmlinuz" | awk -F: 'NR == 1 {print $1}')
	[ -n "$off" ] || die "no xz stream in $vmlinuz"
	(tail -c +$((off + 1)) "$vmlinuz" || true) | xz -dc --single-stream >"$K/vmlinux.tmp"
	[ "$(head -c 4 "$K/vmlinux.tmp" | od -An -c | tr -d ' ')" = '177ELF' ] ||
		die "extracted kernel is not an ELF file"
	mv "$K/vmlinux.tmp" "$K/vmlinux"
	for m in $MODULES $FSMODULES; do
		f=$(find "$OUT/dl/x/lib/modules/$KVER/kernel" -name "$m.ko*" | awk 'NR == 1')
		[ -n "$f" ] || die "module $m not in $KPKG"
		case "$f" in
		*.xz) xz -dc "$f" >"$K/modules/$m.ko" ;;
		*.zst) die "zstd-compressed module $f: add a decompressor" ;;
		*) cp "$f" "$K/modules/$m.ko" ;;
		esac
	done
	rm -rf "$OUT/dl"
	echo "$KPKG" >"$K/kpkg.stamp"
fi

# 2. memhog and the two initramfs images.
W=$OUT/work
rm -rf "$W"
mkdir -p "$W"
gcc -O2 -Wall -Wextra -static -o "$W/memhog" "$HERE/memhog.c"
gcc -O2 -Wall -Wextra -static -o "$W/workload" "$HERE/workload.c"
mkinitrd() { # mkinitrd OUTFILE MODULE...
	local out=$1 r=$W/rootfs m
	shift
	rm -rf "$r"
	mkdir -p "$r/bin" "$r/lib/modules"
	cp "$BUSYBOX" "$W/memhog" "$W/workload" "$r/bin/"
	cp "$HERE/init.sh" "$r/init"
	# The agent and every shared library ldd names (the dynamic loader
	# included), each under the path the binary asks for.
	mkdir -p "$r/usr/sbin"
	cp "$QGA" "$r/usr/sbin/qemu-ga"
	for lib in $(ldd "$QGA" | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\// {print $1}'); do
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
	chmod 755 "$r/init"
	for m in "$@"; do
		cp "$K/modules/$m.ko" "$r/lib/modules/"
		echo "$m" >>"$r/lib/modules/order"
	done
	for m in $FSMODULES; do
		cp "$K/modules/$m.ko" "$r/lib/modules/"
		echo "$m" >>"$r/lib/modules/fs-order"
	done
	(cd "$r" && find . | "$BUSYBOX" cpio -o -H newc 2>/dev/null | gzip -9 >"$out.tmp")
	mv "$out.tmp" "$out"
}
mkinitrd "$OUT/initrd.img" $MODULES
mkinitrd "$OUT/initrd-noballoon.img" $(echo "$MODULES" | tr ' ' '\n' | grep -vx virtio_balloon)
rm -rf "$W"
# vmlinux next to the initrds (a hard link: same file, no copy).
if [ ! "$K/vmlinux" -ef "$OUT/vmlinux" ]; then
	ln -f "$K/vmlinux" "$OUT/vmlinux.tmp"
	mv "$OUT/vmlinux.tmp" "$OUT/vmlinux"
fi
stamp >"$OUT/image.stamp"
echo "guest image built in $((($(date +%s%N) - t0) / 1000000)) ms ($KPKG, busybox $BBVER, qemu-ga $QGAVER)"
