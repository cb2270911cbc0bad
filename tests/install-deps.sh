#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# install-deps.sh: install, from Debian's archive, every package that building,
# running and testing this project needs, and provision the host for the
# real-guest tests (below; the guest image is built by `make deps` too).  `make run` and `make test` call it
# first; `make bench` calls it with --bench, which adds the BENCH list.  It
# is idempotent and quiet when nothing is missing.  It says exactly what it
# installs.  It needs root (apt-get) only when something is missing.
set -eu

# Build: compiler, pkg-config and the -dev packages the Makefile links against.
BUILD="gcc make libc6-dev pkg-config collectd-dev libvirt-dev libjansson-dev
libmicrohttpd-dev libcurl4-openssl-dev libxml2-dev"
# Run and test: the real collectd, a real libvirtd (test driver and QEMU),
# virsh, curl for fixture posts, python3 for the vdsm client module.
RUN="collectd-core libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
curl python3 procps iproute2"
# Real guests (tests and the demo): QEMU under software emulation, and the
# pieces the tiny guest image is built from at test time (qemu-guest-agent:
# its binary and libraries are copied into the guest; never run on the host;
# e2fsprogs: mkfs.ext4 makes the disk a guest's agent can really freeze).
GUESTS="qemu-system-x86 busybox-static xz-utils qemu-guest-agent e2fsprogs"
# Fuzz replay and sanitizer runs use clang's runtime; clang-format checks
# that every C file is formatted (make check-format); valgrind runs momd
# under memcheck (tests/it/valgrind.sh); wrk loads the REST API
# (tests/it/load.sh, make load); stress-ng keeps other cores busy to show
# that the suite does not depend on an idle machine (`stress-ng --cpu 1
# --timeout 900 & make test`: no test may fail then).
TOOLS="clang libclang-rt-14-dev clang-format valgrind wrk stress-ng"
# Metrics backends for tests/it/graphite_influx.sh: Graphite's carbon-cache
# and whisper tools, InfluxDB 1.x with its collectd listener and CLI (about
# 40 MB with python3-twisted, 16 s).  The tests run their own daemons on
# unusual loopback ports with scratch data; on a host booted with systemd
# the packages also enable their services on the default ports (2003,
# 8086, 8088): disable them if you do not want them.  Prometheus (Debian's
# prometheus package, about 96 MB, with promtool): tests/it/prometheus.sh
# checks momd's exposition with `promtool check metrics`, and
# tests/it/prometheus_scrape.sh runs a real server (its own port and
# scratch storage) that scrapes momd; under systemd the package also
# enables its own service on port 9090.
METRICS="graphite-carbon python3-whisper influxdb influxdb-client prometheus"
# The units under a real systemd (tests/it/systemd_unit.sh): systemd-nspawn
# boots a Debian 12 tree that debootstrap makes once under build/ (about
# 90 s and 350 MB the first time); systemd-socket-activate and
# systemd-analyze are in systemd (tests/it/access.sh, tests/it/install.sh).
SYSTEMD="systemd systemd-container debootstrap"
# Benchmarks only (`make bench` passes --bench; `make test` never installs
# these): wrk drives momd's ingest over loopback TCP (tests/bench/ingest.sh);
# gnuplot-nox draws the scenario timelines (tests/bench/scenario.sh).
BENCH="wrk gnuplot-nox"
EXTRA=""
[ "${1:-}" = "--bench" ] && EXTRA=$BENCH

missing=""
for p in $BUILD $RUN $GUESTS $TOOLS $METRICS $SYSTEMD $EXTRA; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done

if [ -n "$missing" ]; then
	echo "install-deps: installing:$missing"
	if [ "$(id -u)" -ne 0 ]; then
		echo "install-deps: not root; install the packages above and retry" >&2
		exit 1
	fi
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >/dev/null
	echo "install-deps: done"
fi

# Host provisioning for the real-guest tests (tests/lib/guests.sh), which
# start the system libvirtd themselves when none runs and check these
# instead of creating them: what a bare libvirtd needs (a container
# without libvirt's postinst leaves them out): user and group libvirt-qemu,
# and /etc/libvirt/qemu.conf, written only when absent, with QEMU as root
# (the guests' images live in the build tree).  Root only (without root
# the real-guest tests skip anyway).  Under the lock the tests take
# (/run/mom-tests/guest-state/lock): a test running meanwhile undoes what
# appears in libvirt's trees during its run.
provision_guests() {
	# (A qemu.conf "removed at exit" is an older test run's, about to go.)
	getent group libvirt-qemu >/dev/null && getent passwd libvirt-qemu >/dev/null &&
		[ -e /etc/libvirt/qemu.conf ] &&
		! grep -q 'removed at exit' /etc/libvirt/qemu.conf && return 0
	[ "$(id -u)" -eq 0 ] || return 0
	state=${MOM_GUEST_STATE:-/run/mom-tests/guest-state}
	mkdir -p "$state"
	exec 8>>"$state/lock"
	flock -w 900 8 || {
		echo "install-deps: the real-guest tests' lock is busy; host not provisioned" >&2
		return 1
	}
	echo "install-deps: provisioning the host for the real-guest tests"
	getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
	getent passwd libvirt-qemu >/dev/null ||
		useradd -r -g libvirt-qemu -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu
	mkdir -p /etc/libvirt /var/log/libvirt/qemu /var/lib/libvirt /var/cache/libvirt
	if [ ! -e /etc/libvirt/qemu.conf ] || grep -q 'removed at exit' /etc/libvirt/qemu.conf; then
		printf '# written by mom tests/install-deps.sh for the real-guest tests\nuser = "root"\ngroup = "root"\n' \
			>/etc/libvirt/qemu.conf
	fi
	exec 8>&-
}
provision_guests
