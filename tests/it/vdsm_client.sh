# SPDX-License-Identifier: Apache-2.0
#
# vdsm_client.sh: contrib/vdsm/momIF.py, the drop-in for vdsm's
# vdsm/momIF.py, driven as vdsm's clientIF, host/api.py and API.py drive it,
# against a real momd on its unix socket; then with momd stopped and with a
# socket that never existed.  The checks are in vdsm_client_test.py; this
# script runs momd and turns their lines into TAP.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/api.sh"
. "$ROOT/tests/lib/vdsm.sh"


if ! momd_start; then
	not_ok "momd starts"
	done_testing
fi
check "momIF.py compiles" python3 -B -c "import ast, sys; ast.parse(open(sys.argv[1]).read())" "$ROOT/contrib/vdsm/momIF.py"
tap_from python3 -B "$ROOT/tests/it/vdsm_client_test.py" live "$MOMD_SOCK" "$T_TMP"
[ "$T_N" -gt 20 ] || not_ok "the live checks ran ($T_N)"
n=$T_N
momd_stop
tap_from python3 -B "$ROOT/tests/it/vdsm_client_test.py" stopped "$MOMD_SOCK" "$T_TMP"
[ "$T_N" -gt $((n + 8)) ] || not_ok "the stopped-momd checks ran"
momd_log_clean
done_testing
