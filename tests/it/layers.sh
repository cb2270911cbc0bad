#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# layers.sh: the structure issue 15 set, kept: no two modules depend on each
# other in a circle, by includes or by calls; no core module calls outside
# the core and no plugin module calls into momd (tests/tools/depcheck.py,
# over the objects make built); and no source file grows far past about 800
# lines (the house guideline; 850 is the hard stop here).
. "$(dirname "$0")/../lib/common.sh"

out=$(python3 "$ROOT/tests/tools/depcheck.py" "$BUILD" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
check_sh "include circles: none" 'echo "$out" | grep -qx "include circles: 0"'
check_sh "call circles: none" 'echo "$out" | grep -qx "call circles: 0"'
check_sh "layer violations: none" 'echo "$out" | grep -qx "layer violations: 0"'
check "depcheck.py exits 0" test "$rc" -eq 0

long=$(cd "$ROOT" && wc -l actuator/*.[ch] collectd-plugin/*.[ch] |
	awk '$2 != "total" && $1 > 850 {printf "%s (%d) ", $2, $1}')
check "no source file over 850 lines${long:+: $long}" test -z "$long"
done_testing
