#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# evaluate_cli.sh: the offline harness `momd --evaluate` on golden cases
# (plan JSON on stdout, exit 0), and its exit codes for a bad case (65),
# a bad policy directory (65), a missing file (66) and bad arguments (64).
# Uses build/momd when it supports --evaluate, else build/tests/evaluate.
. "$(dirname "$0")/../lib/common.sh"
cd "$ROOT" || exit 1

if [ -x "$BUILD/momd" ] && "$BUILD/momd" --evaluate tests/data/eval/B1/case.json \
	--policy-dir policies >/dev/null 2>&1; then
	EVAL=("$BUILD/momd" --evaluate)
	diag "using momd --evaluate"
elif [ -x "$BUILD/tests/evaluate" ]; then
	EVAL=("$BUILD/tests/evaluate")
	diag "using build/tests/evaluate"
else
	not_ok "no evaluator binary (make tests-build)"
	done_testing
fi

# JSON checks with the test client (tests/lib/momapi.py): EXPR over d.
json_get() { # FILE EXPR
	momapi json --file "$1" --bind d "$2"
}

out=$T_TMP/out.json
"${EVAL[@]}" tests/data/eval/B1/case.json --policy-dir policies >"$out" 2>"$T_TMP/err"
check "B1: exit status 0" [ $? -eq 0 ]
check "B1: balloon_target 3800000" [ "$(json_get "$out" 'd["guests"]["g"]["balloon_target"]')" = 3800000 ]
check "B1: ksm ON(400,10)" [ "$(json_get "$out" '[d["host"][k] for k in ("ksm_run","ksm_pages_to_scan","ksm_sleep_millisecs","ksm_merge_across_nodes")]')" = "[1, 400, 10, 1]" ]
check "B1: reason names the rule" grep -q '"balloon_target": "02-balloon/balloon: shrunk=3800000' "$out"

"${EVAL[@]}" tests/data/eval/B17/case.json --policy-dir policies >"$out" 2>/dev/null
check "B17: exit 0, nob's error reported, g still gets its target" \
	[ "$(json_get "$out" '[d["guests"]["g"]["balloon_target"], "guaranteed-minimum" in d["errors"]["guests"]["nob"]]')" = "[3800000, true]" ]

"${EVAL[@]}" tests/data/eval/C4/case.json --policy-dir policies >"$out" 2>/dev/null
check "C4 (vdsm's 1 CPU, 100 vCPUs, 10 %): vcpu_quota 1100, vcpu_period 1100000 under the guest" \
	[ "$(json_get "$out" '[d["guests"]["g"]["vcpu_quota"], d["guests"]["g"]["vcpu_period"]]')" = "[1100, 1100000]" ]
check "C4: the reason names 04-cputune" grep -q '"vcpu_quota": "04-cputune/cputune' "$out"

"${EVAL[@]}" tests/data/eval/D1/case.json --policy-dir policies >"$out" 2>/dev/null
check "D1 (05-iotune): vda's limits under the guest's disks" \
	[ "$(json_get "$out" '[d["guests"]["g"]["disks"]["vda"][k] for k in ("read_bytes_sec", "write_iops_sec", "total_bytes_sec")]')" = "[1048576, 100, 0]" ]
check "D1: vdb (its maximum lacks write_iops_sec) under errors.disks, alone" \
	[ "$(json_get "$out" '["max_write_iops_sec" in d["errors"]["disks"]["g"]["vdb"], "vdb" in d["guests"]["g"]["disks"]]')" = "[true, false]" ]
check "D1: the reason names 05-iotune" grep -q '"read_iops_sec": "05-iotune/iotune' "$out"

"${EVAL[@]}" - --policy-dir policies <tests/data/eval/K8/case.json >"$out" 2>/dev/null
check "K8 from stdin: merge 0, pages 700" [ "$(json_get "$out" '[d["host"]["ksm_merge_across_nodes"], d["host"]["ksm_pages_to_scan"]]')" = "[0, 700]" ]

printf '{"host": {"history": [{"mem_free": "x"}]}}' >"$T_TMP/bad-case.json"
"${EVAL[@]}" "$T_TMP/bad-case.json" --policy-dir policies >/dev/null 2>"$T_TMP/err"
rc=$?
check "bad case: exit 65 ($rc)" [ $rc -eq 65 ]
check "bad case: error names the path" grep -q 'history\[0\].mem_free' "$T_TMP/err"
check "bad case: CASE: PATH: MESSAGE, as every policy error reads" \
	grep -q "^momd: case $T_TMP/bad-case.json: \\\$\\.host\\.history\\[0\\]\\.mem_free: " "$T_TMP/err"

printf '{"params": {"nope": 1}, "host": {"history": []}}' >"$T_TMP/bad-param.json"
"${EVAL[@]}" "$T_TMP/bad-param.json" --policy-dir policies >/dev/null 2>"$T_TMP/err"
check "unknown parameter: exit 65" [ $? -eq 65 ]
check "unknown parameter: CASE: PATH: MESSAGE ($(cat "$T_TMP/err"))" \
	grep -qx "momd: case $T_TMP/bad-param.json: \\\$\\.params\\.nope: no policy declares the parameter 'nope'" "$T_TMP/err"

mkdir -p "$T_TMP/pol"
cp policies/*.json "$T_TMP/pol/"
printf '{"host": [{"rule": "r", "do": [{"set": "ksm_run", "to": ["pow", 2, 3]}]}]}' >"$T_TMP/pol/50-bad.json"
"${EVAL[@]}" tests/data/eval/B1/case.json --policy-dir "$T_TMP/pol" >/dev/null 2>"$T_TMP/err"
rc=$?
check "bad policy dir: exit 65 ($rc)" [ $rc -eq 65 ]
check "bad policy: error names policy and path" grep -q '50-bad.*\$.host\[0\].do\[0\].to\[0\].*unknown function' "$T_TMP/err"
# One text for a policy error everywhere (policy_error.c): the same line as
# momd --check-config gives for the same directory.
"$BUILD/momd" --check-config --policy-dir "$T_TMP/pol" >/dev/null 2>"$T_TMP/check.err"
check "bad policy: the same error line as momd --check-config ($(cat "$T_TMP/err"))" \
	cmp -s "$T_TMP/err" "$T_TMP/check.err"

"${EVAL[@]}" "$T_TMP/missing.json" --policy-dir policies >/dev/null 2>&1
check "missing case file: exit 66" [ $? -eq 66 ]
"${EVAL[@]}" tests/data/eval/B1/case.json --policy-dir "$T_TMP/nodir" >/dev/null 2>&1
check "missing policy dir: exit 66" [ $? -eq 66 ]
"${EVAL[@]}" >/dev/null 2>&1
check "no case: exit 64" [ $? -eq 64 ]
done_testing
