#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# valgrind.sh: momd under valgrind memcheck through a scripted run: start
# against a private test-driver libvirtd and a scratch KSM directory,
# ingest host and guest samples, every kind of API call (policy put, patch,
# delete, reset, whole-set replacement, evaluate, dry-run, log level,
# Prometheus), several cycles that set balloons and KSM and reach the IoTune
# controller (disk samples: a failing write, a skipped disk), a refused
# request, SIGHUP with a changed and then a broken configuration, and
# SIGTERM.  No memcheck error and no definite or indirect leak is allowed
# (--error-exitcode); tests/lib/valgrind.supp holds the suppressions, for
# system libraries only, each with its reason.  Skipped under SANITIZE=1
# (valgrind and ASan do not mix).
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/libvirt.sh"

VG_EXIT=99
MOMD_SOCK=$T_TMP/momd.sock
VG_LOG=$T_TMP/valgrind.log
MOMD_LOG=$T_TMP/momd.log

if [ "${SANITIZE:-}" = 1 ]; then
	skip "valgrind: not with SANITIZE=1 (ASan build)"
	done_testing
fi
if ! command -v valgrind >/dev/null; then
	skip "valgrind is not installed (tests/install-deps.sh)"
	done_testing
fi

lv_start || { not_ok "private libvirtd starts"; done_testing; }
lv_define vg1 1024 1024 256
lv_define vg2 2048 1536
mkdir -p "$T_TMP/ksm" "$T_TMP/policies"
cp "$ROOT"/policies/*.json "$T_TMP/policies/"
for f in run pages_to_scan sleep_millisecs merge_across_nodes pages_shared pages_sharing; do
	echo 0 >"$T_TMP/ksm/$f"
done
echo '{"log_level": "info", "interval_ms": 500, "samples_stale_ms": 3600000}' >"$T_TMP/momd.json"

valgrind --tool=memcheck --leak-check=full \
	--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
	--error-exitcode=$VG_EXIT --track-fds=no --num-callers=30 \
	--suppressions="$ROOT/tests/lib/valgrind.supp" --log-file="$VG_LOG" \
	"$BUILD/momd" --config "$T_TMP/momd.json" --socket "$MOMD_SOCK" \
	--policy-dir "$T_TMP/policies" --state-dir "$T_TMP/state" \
	--libvirt-uri "$LV_URI" --ksm-dir "$T_TMP/ksm" --rail-stale-ms 0 \
	>"$MOMD_LOG" 2>&1 &
VG_PID=$!
at_exit stop_pid "$VG_PID"
if ! wait_for 120 "momd under valgrind answers" curl -sf --unix-socket "$MOMD_SOCK" http://momd/v1/ping; then
	not_ok "momd starts under valgrind"
	tail -20 "$VG_LOG" "$MOMD_LOG" | sed 's/^/# /'
	done_testing
fi
ok "momd starts under valgrind"

call() {
	local method=$1 path=$2 body=${3-} code
	if [ $# -ge 3 ]; then
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 \
			--unix-socket "$MOMD_SOCK" -X "$method" \
			-H 'Content-Type: application/json' --data-binary "$body" "http://momd$path")
	else
		code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 \
			--unix-socket "$MOMD_SOCK" -X "$method" "http://momd$path")
	fi
	echo "$code"
}

rec() { # inst type tinst value
	printf '{"values":[%s],"dstypes":["gauge"],"dsnames":["value"],"time":%s,"interval":1,"host":"hv","plugin":"mom","plugin_instance":"%s","type":"%s","type_instance":"%s"}' \
		"$4" "$NOW" "$1" "$2" "$3"
}
# disk_recs INST N: the first N of vda's six maxima (0) and read_iops 5
# live: 05-iotune plans zeros for a whole maximum (the IoTune controller's
# write fails, the test domains have no disk), an error for a partial one.
disk_recs() {
	local l k=0 out
	out=$(rec "$1" operations_per_second vda-cur_read_iops_sec 5)
	for l in total_bytes read_bytes write_bytes total_iops read_iops write_iops; do
		[ $k -lt "$2" ] || break
		k=$((k + 1))
		case $l in *iops) out+=,$(rec "$1" operations_per_second "vda-max_${l}_sec" 0) ;;
		*) out+=,$(rec "$1" gauge "vda-max_${l}_sec" 0) ;;
		esac
	done
	printf '%s' "$out"
}
post_samples() {
	NOW=$(date +%s.%N | cut -c1-14)
	local g host
	host="$(rec "" memory total 8589934592),$(rec "" memory free 268435456),$(rec "" memory available 268435456),$(rec "" gauge ksm_run 0),$(rec "" vmpage_number ksm_pages_to_scan 100),$(rec "" vmpage_number ksm_sharing 10),$(rec "" gauge ksm_merge_across_nodes 1)"
	call POST /v1/metrics "[$host]" >/dev/null
	for g in vg1 vg2; do
		call POST /v1/metrics "[$(rec $g memory actual 1073741824),$(rec $g memory maximum 2147483648),$(rec $g memory minimum 268435456),$(rec $g memory unused 805306368),$(rec $g memory available 1073741824),$(rec $g memory usable 805306368),$(disk_recs $g "$([ $g = vg1 ] && echo 6 || echo 3)")]" >/dev/null
	done
}

codes=""
for i in 1 2 3; do post_samples; done
codes+=" $(call PUT /v1/policies/01-vg '{"parameters": {"vgp": {"default": 2}}}')"
codes+=" $(call PATCH /v1/parameters '{"vgp": 4, "balloonEnabled": true}')"
codes+=" $(call PUT /v1/policies "{\"policies\": {\"00-defines\": $(cat "$ROOT/policies/00-defines.json"), \"02-balloon\": $(cat "$ROOT/policies/02-balloon.json"), \"03-ksm\": $(cat "$ROOT/policies/03-ksm.json")}}")"
codes+=" $(call DELETE /v1/policies)"
codes+=" $(call PUT /v1/policies/01-vg '{"parameters": {"vgp": {"default": 2}}}')"
codes+=" $(call DELETE /v1/policies/01-vg)"
codes+=" $(call POST /v1/evaluate '')"
codes+=" $(call POST /v1/evaluate "{\"case\": $(cat "$ROOT/tests/data/eval/K1/case.json")}")"
codes+=" $(call PUT /v1/log-level '{"level": "debug"}')"
codes+=" $(call PUT /v1/log-level '{"level": "info"}')"
codes+=" $(call PUT /v1/dry-run '{"enabled": true}')"
codes+=" $(call PUT /v1/dry-run '{"enabled": false}')"
for p in /v1/status /v1/stats /v1/guests /v1/plan "/v1/actions?limit=10" /v1/parameters /v1/policies /v1/policies/03-ksm /v1/effective-policy /v1/log-level /v1/dry-run /metrics; do
	codes+=" $(call GET "$p")"
done
check "every API call succeeded (${codes# })" [ -z "$(tr ' ' '\n' <<<"$codes" | grep -v '^200$' | grep .)" ]
check "a refused request: 400" [ "$(call PUT /v1/policies/bad '{"host": 1}')" = 400 ]
check "a refused ingest: 400" [ "$(call POST /v1/metrics '[{"values":[1]}]')" = 400 ]

cycles() { momapi --socket "$MOMD_SOCK" --timeout 30 GET /v1/status .cycles; }
more_cycles() { post_samples; [ "$(cycles)" -ge 4 ]; }
check "momd runs cycles under valgrind" wait_for 60 "4 cycles" more_cycles
acted() { curl -s --max-time 30 --unix-socket "$MOMD_SOCK" http://momd/v1/status | grep -q '"applied":[1-9]'; }
acted_now() { post_samples; acted; }
if wait_for 30 "an applied action" acted_now; then
	ok "the cycles acted (balloon or KSM)"
else
	not_ok "the cycles acted (balloon or KSM)"
	curl -s --unix-socket "$MOMD_SOCK" "http://momd/v1/actions?limit=5" | head -c 1500 | sed 's/^/# /'
	curl -s --unix-socket "$MOMD_SOCK" "http://momd/v1/plan" | head -c 1500 | sed 's/^/# /'
fi
# The disk paths ran too: vg1's write failed (no disk), vg2's incomplete
# maximum was reported.
io_acted() {
	curl -s --max-time 30 --unix-socket "$MOMD_SOCK" "http://momd/v1/actions?limit=1000" >"$T_TMP/io.json" &&
		grep -q '"subject":"guest:vg1/vda"' "$T_TMP/io.json" &&
		grep -q '"subject":"guest:vg2/vda","control":"io_limits"' "$T_TMP/io.json"
}
check "IoTune acted on both disks (a failed write, a skipped disk)" \
	wait_for 30 "disk actions" io_acted

echo '{"log_level": "debug", "interval_ms": 600, "history": 5}' >"$T_TMP/momd.json"
kill -HUP "$VG_PID"
check "SIGHUP reloads the configuration" wait_for 30 "reload logged" grep -q 'configuration reloaded' "$MOMD_LOG"
echo '{"interval_ms": "fast"}' >"$T_TMP/momd.json"
kill -HUP "$VG_PID"
check "SIGHUP with a broken configuration keeps the old one" wait_for 30 "refusal logged" grep -q 'configuration not reloaded' "$MOMD_LOG"
post_samples

kill -TERM "$VG_PID"
wait_for 60 "momd under valgrind exits" sh -c "! kill -0 $VG_PID"
wait "$VG_PID"
rc=$?
check "momd exits 0 under valgrind (exit $rc; $VG_EXIT = valgrind errors)" [ "$rc" = 0 ]
summary=$(grep 'ERROR SUMMARY' "$VG_LOG" | tail -1)
check "memcheck: no error (${summary#*== })" grep -q 'ERROR SUMMARY: 0 errors' <<<"$summary"
check "memcheck: nothing definitely lost" sh -c "! grep -q 'definitely lost: [1-9]' '$VG_LOG'"
check "memcheck: nothing indirectly lost" sh -c "! grep -q 'indirectly lost: [1-9]' '$VG_LOG'"
if [ "$T_FAILED" = 1 ]; then
	grep -A25 'Invalid\|uninitialised\|definitely lost in\|indirectly lost in' "$VG_LOG" | head -60 | sed 's/^/# /'
fi
done_testing
