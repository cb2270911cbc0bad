#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# metrics_doc.sh: README.md "Metrics" shows exactly the metric contract.
# Its host, guest and decision tables must equal what build/tests/metric_doc
# prints from actuator/metric_rows.h (tests/it/metrics_doc.py compares);
# REGENERATE=1 rewrites them instead.  The checker is shown to catch a
# README row that drifted from the contract.
. "$(dirname "$0")/../lib/common.sh"

TOOL=$BUILD/tests/metric_doc
DOC=$ROOT/tests/it/metrics_doc.py
[ -x "$TOOL" ] || { not_ok "$TOOL built (make tests-build)"; done_testing; }

if [ "${REGENERATE:-0}" = 1 ]; then
	regenerate() { python3 "$DOC" "$ROOT/README.md" "$TOOL" --write >/dev/null; }
	check "README's metric tables regenerated" regenerate
fi
python3 "$DOC" "$ROOT/README.md" "$TOOL" >"$T_TMP/verdicts"
for t in host guest decisions; do
	check "README's $t table is the contract's ($(grep " $t" "$T_TMP/verdicts" | head -1))" \
		grep -qx "PASS $t" "$T_TMP/verdicts"
done

# Every kind that has rows (host, guest; disks once they come) has its table.
for k in $("$TOOL" --series | cut -d' ' -f1 | sort -u); do
	check "README has the $k table of the contract" \
		grep -q "^<!-- metric_doc --table $k " "$ROOT/README.md"
done

# A drifted README: one identifier renamed in a copy.
sed 's/`memory-swap_free`/`memory-swapfree`/' "$ROOT/README.md" >"$T_TMP/README.md"
python3 "$DOC" "$T_TMP/README.md" "$TOOL" >"$T_TMP/drift"
rc=$?
check "the checker names the README row that differs from the contract" \
	grep -q "^FAIL host: line [0-9]* is .*memory-swapfree" "$T_TMP/drift"
check "the checker exits non-zero on a drifted README (got $rc)" test "$rc" -ne 0

# The series the tests check in Graphite and InfluxDB, and the dashboards,
# come from the same contract.
"$TOOL" --series >"$T_TMP/series"
check "every dispatched row is one series, none twice" \
	test "$(sort -u "$T_TMP/series" | wc -l)" -eq "$(wc -l <"$T_TMP/series")"
check "the sent-only identifiers are in the series (ksm_advisor_mode, pressure totals, stats_age)" \
	test "$(grep -cE '^host gauge ksm_advisor_mode -$|^host total_time_in_ms pressure_(some|full) -$|^guest duration stats_age -$' "$T_TMP/series")" -eq 4
done_testing
