#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# check_exports.sh: each collectd plugin we build exports exactly one
# dynamic symbol, module_register (house rule 22; collectd-plugin/
# exports.map and -fvisibility=hidden).  Checks build/mom.so, and
# build/write_mom.so when it has been built.
. "$(dirname "$0")/../lib/common.sh"

check_so() {
	local so=$1 syms
	syms=$(nm -D --defined-only "$so" | awk '{ print $NF }' | sort -u)
	if [ "$syms" = "module_register" ]; then
		ok "$(basename "$so") exports only module_register"
	else
		not_ok "$(basename "$so") exports: $(echo $syms)"
	fi
}

if [ -f "$BUILD/mom.so" ]; then
	check_so "$BUILD/mom.so"
else
	not_ok "$BUILD/mom.so exists (run make build/mom.so)"
fi
if [ -f "$BUILD/write_mom.so" ]; then
	check_so "$BUILD/write_mom.so"
else
	skip "$BUILD/write_mom.so not built"
fi
done_testing
