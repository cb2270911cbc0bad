# SPDX-License-Identifier: Apache-2.0
#
# vdsm_bridge.sh: contrib/vdsm/mom-xmlrpc-bridge between Python's
# xmlrpc.client (connecting as vdsm's UnixXmlRpcClient does) and a real
# momd: every MOM method, return shapes, <i8>, a refused policy, the stock
# vdsm call sequence; a second bridge on the live socket exits; then with
# momd stopped, and a stale socket file is taken.  Checks in
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
# A second bridge on the same path (an admin trying it by hand) must not
# take it over: the unit's bridge would run on unreachable, and when the
# second stops it removes the path vdsm connects to.
"$BRIDGE" --socket "$BRIDGE_SOCK" --momd-socket "$MOMD_SOCK" \
	--ksm-dir "$MOMD_KSM" >>"$T_TMP/bridge2.log" 2>&1 &
BRIDGE2_PID=$!
if wait_for 10 "the second bridge exits" sh -c "! kill -0 $BRIDGE2_PID 2>/dev/null"; then
	ok "a second bridge on a live socket exits"
	check "... saying why" grep -q "another server listens there" "$T_TMP/bridge2.log"
else
	not_ok "a second bridge on a live socket exits (it took the socket over)"
	stop_pid "$BRIDGE2_PID"
fi
check "... and the first still answers on the socket" \
	python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); from vdsm_lib import stock_proxy; sys.exit(stock_proxy(sys.argv[2]).ping() is not True)' \
	"$ROOT/tests/it" "$BRIDGE_SOCK"
[ "$T_N" -gt 25 ] || not_ok "the live checks ran ($T_N)"
momd_stop
tap_from python3 -B "$ROOT/tests/it/vdsm_bridge_test.py" "$BRIDGE_SOCK" "$MOMD_SOCK" "$MOMD_KSM" stopped "$MOMD_STATE"
stop_pid "$BRIDGE_PID"
check "SIGTERM: the bridge removes its socket" [ ! -e "$BRIDGE_SOCK" ]
# A socket file nobody listens on (a bridge killed with SIGKILL) is taken.
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$BRIDGE_SOCK"
"$BRIDGE" --socket "$BRIDGE_SOCK" --momd-socket "$MOMD_SOCK" \
	--ksm-dir "$MOMD_KSM" >>"$T_TMP/bridge.log" 2>&1 &
BRIDGE_PID=$!
check "a stale socket file is replaced: the new bridge answers there" \
	wait_for 10 "the bridge answers on a stale path" python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); from vdsm_lib import stock_proxy; sys.exit(stock_proxy(sys.argv[2]).ping() is not False)' \
	"$ROOT/tests/it" "$BRIDGE_SOCK"
# Its path taken by another bridge meanwhile (the file deleted by hand,
# a new bridge started): stopping, the old one leaves the new one's
# socket, the path vdsm now connects to, alone.
rm -f "$BRIDGE_SOCK"
"$BRIDGE" --socket "$BRIDGE_SOCK" --momd-socket "$MOMD_SOCK" \
	--ksm-dir "$MOMD_KSM" >>"$T_TMP/bridge3.log" 2>&1 &
BRIDGE3_PID=$!
at_exit stop_pid "$BRIDGE3_PID"
answers() { python3 -c 'import sys; sys.path.insert(0, sys.argv[1]); from vdsm_lib import stock_proxy; sys.exit(stock_proxy(sys.argv[2]).ping() is not False)' "$ROOT/tests/it" "$BRIDGE_SOCK"; }
wait_for 10 "the third bridge answers" answers || not_ok "a bridge on a path freed by hand answers"
stop_pid "$BRIDGE_PID"
check "a bridge stopping leaves the socket another bridge took the path with" \
	answers
stop_pid "$BRIDGE3_PID"
check "... which removes it when it stops" [ ! -e "$BRIDGE_SOCK" ]
grep -q Traceback "$T_TMP/bridge.log" && not_ok "the bridge log has a traceback: $(grep -m3 -A3 Traceback "$T_TMP/bridge.log")"
momd_log_clean
done_testing
