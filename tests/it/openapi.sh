# SPDX-License-Identifier: Apache-2.0
#
# openapi.sh: actuator/openapi.json against a real momd.  The routes momd
# serves (its hidden --list-routes) and the documented operations must be
# the same set, and every documented operation must answer as documented
# (success with its schema, the generic errors, 405 with Allow, 401 on TCP
# without the token).  The checks are in openapi_check.py (standard
# library only); this script starts momd and turns their lines into TAP.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/api.sh"

SPEC=$ROOT/actuator/openapi.json
check "the spec is valid JSON" python3 -m json.tool "$SPEC" /dev/null
"$BUILD/momd" --list-routes >"$T_TMP/routes"
check "momd --list-routes lists routes" [ -s "$T_TMP/routes" ]

PORT=$(free_port)
echo 0123456789abcdef0123456789abcdef >"$T_TMP/token" && chmod 600 "$T_TMP/token"
if ! momd_start --max-body 4096 --listen "127.0.0.1:$PORT" --token-file "$T_TMP/token"; then
	not_ok "momd starts"
	done_testing
fi
# Some examples need state: a host sample for the plan, a guest.
post_host memory-total=17179869184 memory-free=8589934592 gauge-ksm_run=0
post_guest g1 memory-actual=2147483648 memory-maximum=4294967296

while read -r verdict desc; do
	case $verdict in
	PASS) ok "$desc" ;;
	FAIL) not_ok "$desc" ;;
	*) not_ok "checker said: $verdict $desc" ;;
	esac
done < <(python3 "$ROOT/tests/it/openapi_check.py" "$SPEC" "$T_TMP/routes" \
	"$MOMD_SOCK" "http://127.0.0.1:$PORT" 2>&1)
[ "$T_N" -gt 20 ] || not_ok "the checker ran its checks"
momd_log_clean
done_testing
