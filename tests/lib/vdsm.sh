# SPDX-License-Identifier: Apache-2.0
#
# vdsm.sh: helpers of the vdsm tests (it/vdsm_client.sh, it/vdsm_bridge.sh).
# Sourced after common.sh.
#
#   tap_from CMD...   run a Python checker that prints "PASS desc",
#                     "FAIL desc" or "SKIP desc # why" lines; each becomes
#                     one TAP line (anything else is a failure)

tap_from() {
	local verdict desc
	while read -r verdict desc; do
		case $verdict in
		PASS) ok "$desc" ;;
		FAIL) not_ok "$desc" ;;
		SKIP) skip "${desc#*# }: ${desc%% #*}" ;;
		*) not_ok "checker said: $verdict $desc" ;;
		esac
	done < <("$@" 2>&1)
}
