# SPDX-License-Identifier: Apache-2.0
#
# vdsm_client.sh: contrib/vdsm/momclient.py (vdsm's MOM client on the REST
# API) against a real momd on its unix socket: getStatus, getKsmStats with
# vdsm's mapping (and vdsm's test vector) of values posted through
# /v1/metrics, setPolicyParameters' lifetime merge, a safe setPolicy, the
# 2 s timeout and the 5 s back-off.  The checks are in vdsm_client_test.py;
# this script starts momd and turns their lines into TAP.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/api.sh"

if ! momd_start; then
	not_ok "momd starts"
	done_testing
fi
check "momclient.py parses" python3 -B -c "import ast, sys; ast.parse(open(sys.argv[1]).read())" "$ROOT/contrib/vdsm/momclient.py"
while read -r verdict desc; do
	case $verdict in
	PASS) ok "$desc" ;;
	FAIL) not_ok "$desc" ;;
	*) not_ok "checker said: $verdict $desc" ;;
	esac
done < <(python3 -B "$ROOT/tests/it/vdsm_client_test.py" "$MOMD_SOCK" "$T_TMP" 2>&1)
[ "$T_N" -gt 15 ] || not_ok "the client test ran its checks"
momd_log_clean
done_testing
