# SPDX-License-Identifier: Apache-2.0
#
# vdsm_bridge.sh: contrib/vdsm/mom-xmlrpc-bridge between Python's
# xmlrpc.client (connecting as vdsm's UnixXmlRpcClient does) and a real
# momd: every MOM method, return shapes, <i8>, a refused policy, the stock
# vdsm call sequence; then with momd stopped.  Checks in
# vdsm_bridge_test.py; this script runs momd and the bridge.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/api.sh"
. "$ROOT/tests/lib/vdsm.sh"

BRIDGE_SOCK=$T_TMP/mom-vdsm.sock
BRIDGE=$ROOT/contrib/vdsm/mom-xmlrpc-bridge

echo 77 >"$MOMD_KSM/pages_to_scan"
echo 1 >"$MOMD_KSM/merge_across_nodes"
echo 42 >"$MOMD_KSM/pages_sharing"
if ! momd_start; then
	not_ok "momd starts"
	done_testing
fi
check "mom-xmlrpc-bridge --help" "$BRIDGE" --help
"$BRIDGE" --socket "$BRIDGE_SOCK" --momd-socket "$MOMD_SOCK" \
	--ksm-dir "$MOMD_KSM" --log-level debug >>"$T_TMP/bridge.log" 2>&1 &
BRIDGE_PID=$!
at_exit stop_pid "$BRIDGE_PID"
check "the bridge listens on its unix socket" wait_for 10 "bridge socket" test -S "$BRIDGE_SOCK"
check "the socket is 0600: only the bridge's own user (vdsm) may connect, not group kvm (QEMU runs in it)" [ "$(stat -c %a "$BRIDGE_SOCK")" = 600 ]
tap_from python3 -B "$ROOT/tests/it/vdsm_bridge_test.py" "$BRIDGE_SOCK" "$MOMD_SOCK" "$MOMD_KSM" live "$MOMD_STATE"
[ "$T_N" -gt 25 ] || not_ok "the live checks ran ($T_N)"
momd_stop
tap_from python3 -B "$ROOT/tests/it/vdsm_bridge_test.py" "$BRIDGE_SOCK" "$MOMD_SOCK" "$MOMD_KSM" stopped "$MOMD_STATE"
stop_pid "$BRIDGE_PID"
check "SIGTERM: the bridge removes its socket" [ ! -e "$BRIDGE_SOCK" ]
grep -q Traceback "$T_TMP/bridge.log" && not_ok "the bridge log has a traceback: $(grep -m3 -A3 Traceback "$T_TMP/bridge.log")"
momd_log_clean
done_testing
