#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# install.sh: `make install` into a DESTDIR and `make uninstall` again.
#
# Checks the installed tree file by file with modes (nothing missing,
# nothing extra), that no @DIR@ placeholder is left, that the installed
# momd's default policy_dir is where the policies went and that the example
# configuration validates, that the man pages are clean (groff -ww, man
# --warnings), that the unit passes `systemd-analyze verify` and a security
# review of momd.service, momd.socket and momd-read.socket, that
# sysusers.d and tmpfiles.d accept their files, that real collectd parses
# the installed snippet and loads both installed plugins, and that
# uninstall leaves no file behind.  The units run under a real systemd in
# tests/it/systemd_unit.sh.
. "$(dirname "$0")/../lib/common.sh"

D=$T_TMP/dest
P=/usr/local
mk() { make -s -C "$ROOT" BUILD="$BUILD" DESTDIR="$D" "$@"; }

if ! mk install >"$T_TMP/install.out" 2>&1; then
	not_ok "make install DESTDIR=..."
	sed 's/^/# /' "$T_TMP/install.out"
	done_testing
fi
ok "make install DESTDIR=... (default PREFIX $P)"

# ---- the tree --------------------------------------------------------------
{
	echo "755 $P/sbin/momd"
	echo "755 $P/bin/momctl"
	echo "644 /usr/lib/collectd/mom.so"
	echo "644 /usr/lib/collectd/write_mom.so"
	echo "644 /etc/collectd/collectd.conf.d/mom.conf"
	echo "644 /etc/mom/momd.json.example"
	echo "644 $P/lib/systemd/system/momd.service"
	echo "644 $P/lib/systemd/system/momd.socket"
	echo "644 $P/lib/systemd/system/momd-read.socket"
	echo "644 $P/lib/sysusers.d/mom.conf"
	echo "644 $P/lib/tmpfiles.d/mom.conf"
	echo "644 /etc/polkit-1/rules.d/50-mom.rules"
	echo "755 $P/sbin/mom-xmlrpc-bridge"
	echo "644 $P/lib/systemd/system/mom-xmlrpc-bridge.service"
	for f in momIF.py momd-vdsm.json collectd-vdsm.conf; do
		echo "644 $P/share/mom/vdsm/$f"
	done
	echo "644 $P/lib/systemd/system/collectd.service.d/mom.conf"
	echo "644 $P/share/man/man1/momctl.1"
	echo "644 $P/share/man/man5/collectd-mom.5"
	echo "644 $P/share/man/man5/momd.json.5"
	echo "644 $P/share/man/man8/momd.8"
	echo "644 $P/share/doc/mom/README.md"
	echo "644 $P/share/doc/mom/policies.md"
	for f in "$ROOT"/policies/*.json; do
		echo "644 $P/share/mom/policies/${f##*/}"
	done
	for f in "$ROOT"/policies/examples/*.json; do
		echo "644 $P/share/mom/examples/${f##*/}"
	done
	for f in "$ROOT"/policies/adaptive/*.json; do
		echo "644 $P/share/mom/adaptive/${f##*/}"
	done
	for f in "$ROOT"/contrib/dashboards/*.json; do
		echo "644 $P/share/mom/dashboards/${f##*/}"
	done
} | sort -k2 >"$T_TMP/want"
(cd "$D" && find . \( -type f -o -type l \) -printf '%m /%P\n') | sort -k2 >"$T_TMP/got"
if diff -u "$T_TMP/want" "$T_TMP/got" >"$T_TMP/tree.diff"; then
	ok "installed tree: exactly $(wc -l <"$T_TMP/want") files, with their modes"
else
	not_ok "installed tree differs from the expected list"
	sed 's/^/# /' "$T_TMP/tree.diff"
fi
check "no @DIR@ placeholder left in an installed text file" \
	bash -c "! grep -rlI '@[A-Z_]*DIR@' '$D/etc' '$D$P/lib' '$D$P/share/man'"
check "installed momd and momctl run" \
	bash -c "'$D$P/sbin/momd' --help >/dev/null && '$D$P/bin/momctl' --help >/dev/null"
check "momd's default policy_dir is where the policies were installed" \
	grep -q -- "--policy-dir .*(default: $P/share/mom/policies)" \
	<("$D$P/sbin/momd" --help)
check "the unit runs the installed momd with the installed configuration" \
	grep -qx "ExecStart=$P/sbin/momd --config /etc/mom/momd.json" \
	"$D$P/lib/systemd/system/momd.service"
check "the example configuration and the installed policies validate" \
	grep -q "^configuration OK: [1-9]" <("$D$P/sbin/momd" --check-config \
	--config "$D/etc/mom/momd.json.example" \
	--policy-dir "$D$P/share/mom/policies")
check "the installed adaptive set validates (policy_dir = .../adaptive)" \
	grep -q "^configuration OK: [1-9]" <("$D$P/sbin/momd" --check-config \
	--config "$D/etc/mom/momd.json.example" \
	--policy-dir "$D$P/share/mom/adaptive")
check "the collectd snippet loads mom and write_mom and points mom at momd" \
	bash -c "grep -qx 'LoadPlugin mom' '$D/etc/collectd/collectd.conf.d/mom.conf' &&
		grep -qx '<LoadPlugin write_mom>' '$D/etc/collectd/collectd.conf.d/mom.conf' &&
		grep -qx '  ActuatorSocket \"/run/mom/momd.sock\"' '$D/etc/collectd/collectd.conf.d/mom.conf'"
check "the installed bridge runs" "$D$P/sbin/mom-xmlrpc-bridge" --help
check "the installed momIF.py compiles" python3 -B -c "import ast, sys; ast.parse(open(sys.argv[1]).read())" "$D$P/share/mom/vdsm/momIF.py"
check "the vdsm profile validates with the installed policies" \
	grep -q "^configuration OK: [1-9]" <("$D$P/sbin/momd" --check-config \
	--config "$D$P/share/mom/vdsm/momd-vdsm.json" \
	--policy-dir "$D$P/share/mom/policies")

# ---- man pages ---------------------------------------------------------------
for m in man1/momctl.1 man5/collectd-mom.5 man5/momd.json.5 man8/momd.8; do
	f=$D$P/share/man/$m
	out=$( { groff -ww -z -mandoc "$f"; man --warnings -l "$f" >/dev/null; } 2>&1)
	if [ -z "$out" ] && [ "$(man -l "$f" 2>/dev/null | wc -l)" -gt 20 ]; then
		ok "man page $m renders without warnings"
	else
		not_ok "man page $m: ${out:-too short}"
	fi
done

# ---- the units ----------------------------------------------------------------
# The real run of the units under a real systemd is tests/it/systemd_unit.sh.
U=$D$P/lib/systemd/system
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$T_TMP/verify"
	sed "s|^ExecStart=$P/sbin/momd|ExecStart=$D$P/sbin/momd|" \
		"$U/momd.service" >"$T_TMP/verify/momd.service"
	cp "$U/momd.socket" "$U/momd-read.socket" "$T_TMP/verify/"
	for u in momd.service momd.socket momd-read.socket; do
		if systemd-analyze verify --man=no "$T_TMP/verify/$u" \
			>"$T_TMP/verify.out" 2>&1; then
			ok "systemd-analyze verify $u"
		else
			not_ok "systemd-analyze verify $u"
			grep momd "$T_TMP/verify.out" | sed 's/^/# /'
		fi
	done
	score=$(systemd-analyze security --offline=true \
		"$T_TMP/verify/momd.service" 2>/dev/null |
		sed -n 's/.*Overall exposure level for momd.service: \([0-9.]*\).*/\1/p')
	check "security review: exposure ${score:-?} <= 2.0 (\"OK\", a user of its own)" \
		awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.0) }'
	diag "systemd-analyze security exposure of momd.service: ${score:-?}"
	# The vdsm bridge's unit: verified with the installed bridge (its user
	# vdsm may not exist here: verify does not resolve it).
	sed "s|^ExecStart=$P/sbin/mom-xmlrpc-bridge|ExecStart=$D$P/sbin/mom-xmlrpc-bridge|" \
		"$D$P/lib/systemd/system/mom-xmlrpc-bridge.service" \
		>"$T_TMP/verify/mom-xmlrpc-bridge.service"
	if systemd-analyze verify --man=no "$T_TMP/verify/mom-xmlrpc-bridge.service" \
		>"$T_TMP/verify-bridge.out" 2>&1 ||
		! grep -v "momd.service\|User=\|Group=\|vdsm" "$T_TMP/verify-bridge.out" | grep -q bridge; then
		ok "systemd-analyze verify mom-xmlrpc-bridge.service"
	else
		not_ok "systemd-analyze verify mom-xmlrpc-bridge.service"
		sed 's/^/# /' "$T_TMP/verify-bridge.out"
	fi
	for key in Conflicts=mom-vdsm.service Requires=momd.service After=momd.service \
		User=vdsm "ExecStart=$P/sbin/mom-xmlrpc-bridge --socket /run/vdsm/mom-vdsm.sock"; do
		check "mom-xmlrpc-bridge.service sets $key" \
			grep -q "^${key%%=*}=${key#*=}" "$D$P/lib/systemd/system/mom-xmlrpc-bridge.service"
	done
	check "momd.service conflicts with ksmtuned.service" \
		grep -q "^Conflicts=.*ksmtuned.service" "$D$P/lib/systemd/system/momd.service"
else
	skip "systemd-analyze not installed (package systemd)"
fi
for key in User=mom Group=mom NoNewPrivileges=yes ProtectSystem=strict \
	ProtectHome=yes PrivateTmp=yes StateDirectory=mom \
	ReadWritePaths=/sys/kernel/mm/ksm After=libvirtd.service \
	Requires=momd.socket MemoryMax=256M TasksMax=64 OOMScoreAdjust=500 \
	Restart=on-failure; do
	check "momd.service sets $key" \
		grep -q "^${key%%=*}=.*${key#*=}" "$U/momd.service"
done
check "momd.service keeps no capability (CapabilityBoundingSet= empty)" \
	grep -qx "CapabilityBoundingSet=" "$U/momd.service"
check "momd.service's only root step is systemd-tmpfiles on mom.conf" \
	[ "$(grep -c '^Exec[A-Za-z]*=[-@:]*[+!]' "$U/momd.service")" = 1 ] &&
	grep -qx 'ExecStartPre=-+systemd-tmpfiles --create mom.conf' "$U/momd.service"
check "momd.socket: the admin socket, 0660 root:mom-admin" \
	grep -qx 'ListenStream=/run/mom/momd.sock' "$U/momd.socket" &&
	grep -qx 'SocketGroup=mom-admin' "$U/momd.socket" &&
	grep -qx 'SocketMode=0660' "$U/momd.socket"
check "momd-read.socket: the read socket, named read, 0660 root:mom-read" \
	grep -qx 'ListenStream=/run/mom/momd-read.sock' "$U/momd-read.socket" &&
	grep -qx 'FileDescriptorName=read' "$U/momd-read.socket" &&
	grep -qx 'SocketGroup=mom-read' "$U/momd-read.socket"
check "tmpfiles.d/mom.conf touches nothing outside /sys/kernel/mm/ksm" \
	bash -c "! grep -v '^#' '$D$P/lib/tmpfiles.d/mom.conf' | grep . | grep -Ev '^z /sys/kernel/mm/ksm/[a-z_]+ +0664 root mom -\$'"
if command -v systemd-sysusers >/dev/null; then
	check "systemd-sysusers --dry-run accepts sysusers.d/mom.conf" \
		systemd-sysusers --dry-run --root="$T_TMP/sysroot" \
		"$D$P/lib/sysusers.d/mom.conf"
fi

# ---- real collectd parses the snippet and loads the installed plugins ------------
# A copy that touches nothing real: the test driver instead of
# qemu:///system (whose guests may belong to someone), and sockets nobody
# listens on instead of a momd that may run here.
sed -e 's|^<Plugin mom>$|&\n  Connection "test:///default"|' \
	-e 's|^<Plugin write_mom>$|&\n  Socket "'"$T_TMP"'/nobody.sock"|' \
	-e 's|^  ActuatorSocket .*|  ActuatorSocket "'"$T_TMP"'/nobody.sock"|' \
	"$D/etc/collectd/collectd.conf.d/mom.conf" >"$T_TMP/snippet.conf"
check "the snippet copy differs only in those three lines" \
	[ "$(diff "$D/etc/collectd/collectd.conf.d/mom.conf" "$T_TMP/snippet.conf" | grep -c '^[<>]')" = 4 ]
cat >"$T_TMP/collectd.conf" <<CONF
Hostname "installtest"
FQDNLookup false
BaseDir "$T_TMP"
TypesDB "/usr/share/collectd/types.db"
Interval 1
PluginDir "/usr/lib/collectd"
LoadPlugin logfile
<Plugin logfile>
  LogLevel "info"
  File "$T_TMP/collectd.log"
</Plugin>
PluginDir "$D/usr/lib/collectd"
Include "$T_TMP/snippet.conf"
CONF
timeout 30 collectd -T -C "$T_TMP/collectd.conf" >"$T_TMP/collectd.out" 2>&1
check "collectd -T with the installed snippet and plugins: no error" \
	bash -c "! grep -qi 'error\|could not\|unknown option' '$T_TMP/collectd.log' '$T_TMP/collectd.out'"
check "both installed plugins were loaded" \
	bash -c "grep -q 'plugin \"mom\" successfully loaded' '$T_TMP/collectd.log' &&
		grep -q 'plugin \"write_mom\" successfully loaded' '$T_TMP/collectd.log'"

# The vdsm host profile's snippet, the same way (the head config includes
# $T_TMP/snippet.conf).
sed -e 's|^<Plugin mom>$|&\n  Connection "test:///default"|' \
	-e 's|^<Plugin write_mom>$|&\n  Socket "'"$T_TMP"'/nobody.sock"|' \
	-e 's|^  ActuatorSocket .*|  ActuatorSocket "'"$T_TMP"'/nobody.sock"|' \
	"$D$P/share/mom/vdsm/collectd-vdsm.conf" >"$T_TMP/snippet.conf"
: >"$T_TMP/collectd.log"
timeout 30 collectd -T -C "$T_TMP/collectd.conf" >"$T_TMP/collectd.out" 2>&1
check "collectd -T with the vdsm profile's snippet (Interval 15): no error, both plugins" \
	bash -c "! grep -qi 'error\|could not\|unknown option' '$T_TMP/collectd.log' '$T_TMP/collectd.out' &&
		grep -q 'plugin \"write_mom\" successfully loaded' '$T_TMP/collectd.log' &&
		grep -q 'plugin \"mom\" successfully loaded' '$T_TMP/collectd.log'"

# ---- uninstall -----------------------------------------------------------------
check "make uninstall DESTDIR=..." mk uninstall
left=$(cd "$D" && find . \( -type f -o -type l \) | head)
check "uninstall leaves no file${left:+ (left: $left)}" [ -z "$left" ]
check "uninstall removes mom's own directories" bash -c \
	"! ls -d '$D$P/share/mom' '$D$P/share/doc/mom' '$D/etc/mom' \
		'$D$P/lib/systemd/system/collectd.service.d' 2>/dev/null | grep -q ."
done_testing
