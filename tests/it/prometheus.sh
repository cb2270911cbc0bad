#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# prometheus.sh: momd's GET /metrics (actuator/prom.c) against a real momd
# making real decisions (libvirt's in-process test driver, a scratch KSM
# directory, samples posted as collectd would).  Checks the content type,
# the format (promtool check metrics, and tests/it/promcheck.py, a strict
# checker of the text format's grammar; both shown to reject bad input),
# that the values equal what /v1/status and /v1/plan say, label escaping of
# an odd guest name, and the bearer token on the TCP listener.  That README
# "momd's own metrics" lists exactly the served families is
# tests/it/prometheus_doc.sh's.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/api.sh"

PORT=$(free_port)
echo 0123456789abcdef0123456789abcdef >"$T_TMP/token" && chmod 600 "$T_TMP/token"
momd_start --listen "127.0.0.1:$PORT" --token-file "$T_TMP/token" ||
	{ not_ok "momd starts"; done_testing; }
api GET /metrics
check "before any sample: 200" [ "$STATUS" = 200 ]
check "... with the status families only (no plan, no guest yet)" \
	bash -c "grep -q '^momd_cycles_total ' '$T_TMP/body' && ! grep -q '^momd_balloon_target_bytes' '$T_TMP/body'"

# Decisions: ballooning on, a host short of memory, the test driver's
# domain "test" and a guest whose name needs escaping.
api PATCH /v1/parameters '{"balloonEnabled": true}'
G=4294967296
feed() {
	post_host memory-total=10240000000 memory-free=1024000000 \
		memory-available=1536000000 memory-buffers=0 memory-cached=0 \
		memory-anon=7168000000 memory-swap_total=0 memory-swap_free=0 \
		gauge-ksm_run=0 vmpage_number-ksm_pages_to_scan=100 \
		vmpage_number-ksm_shared=0 vmpage_number-ksm_sharing=0 \
		vmpage_number-ksm_unshared=0 vmpage_number-ksm_volatile=0 \
		total_operations-ksm_full_scans=0 memory-ksm_shareable=0 \
		duration-ksm_sleep=0.02 gauge-ksm_merge_across_nodes=1 &&
	# JSON-escaped here: the guest is named we"ird\name.
	for g in test 'we\"ird\\name'; do
		post_guest "$g" memory-actual=$((G / 2)) memory-maximum=$((G * 2)) memory-minimum=0 \
			memory-available=$((G / 2)) memory-unused=$((G / 8)) \
			memory-usable=$((G / 8)) memory-disk_caches=$((G / 16)) \
			memory-rss=$((G / 2)) || return 1
	done
}
has_target() {
	feed >/dev/null && api GET /metrics &&
		grep -q '^momd_balloon_target_bytes{guest="test"} [1-9]' "$T_TMP/body"
}
check "a balloon target for guest test appears" \
	wait_for 20 "momd_balloon_target_bytes for test" has_target
api GET /metrics
cp "$T_TMP/body" "$T_TMP/metrics"
check "200" [ "$STATUS" = 200 ]
check "Content-Type: text/plain; version=0.0.4" \
	grep -qi '^Content-Type: text/plain; version=0.0.4' <<<"$HEADERS"

# ---- format ---------------------------------------------------------------
if python3 "$ROOT/tests/it/promcheck.py" <"$T_TMP/metrics" >"$T_TMP/pc.out"; then
	ok "strict format check (promcheck.py)"
else
	not_ok "strict format check (promcheck.py)"
	sed 's/^/# /' "$T_TMP/pc.out"
fi
printf '# HELP x_total X.\n# TYPE x_total counter\nx_total{a="b\\q"} 1\n' >"$T_TMP/bad1"
printf '# HELP momd_x X.\n# TYPE momd_x gauge\nmomd_y 1\n' >"$T_TMP/bad2"
printf '# HELP momd_x X.\n# TYPE momd_x counter\nmomd_x 1\n' >"$T_TMP/bad3"
printf '' >"$T_TMP/bad4"
n=0
for b in 1 2 3 4; do
	python3 "$ROOT/tests/it/promcheck.py" <"$T_TMP/bad$b" >/dev/null || n=$((n + 1))
done
check "the checker rejects a bad escape, an undeclared family, a counter without _total, an empty body" [ $n = 4 ]
if command -v promtool >/dev/null; then
	check "promtool check metrics (Prometheus' own linter) finds nothing" \
		bash -c "promtool check metrics <'$T_TMP/metrics' >'$T_TMP/promtool.out' 2>&1 && [ ! -s '$T_TMP/promtool.out' ]"
	sed 's/^/# /' "$T_TMP/promtool.out"
	check "... and promtool rejects a counter without _total" \
		sh -c "! promtool check metrics <'$T_TMP/bad3' >/dev/null 2>&1"
else
	not_ok "promtool: not installed (tests/install-deps.sh installs Debian's prometheus package)"
fi

# ---- values agree with the JSON views -------------------------------------------
# One snapshot: status and plan, then the metrics, then status and plan
# again.  A cycle that ran in between moves the counters (exit 2: take
# another snapshot); with nothing moved the metrics are compared once, and
# a difference is a failure, not retried.
snapshot() {
	local m s p s2 p2
	s=$(curl -s --unix-socket "$MOMD_SOCK" http://momd/v1/status)
	p=$(curl -s --unix-socket "$MOMD_SOCK" http://momd/v1/plan)
	m=$(curl -s --unix-socket "$MOMD_SOCK" http://momd/metrics)
	s2=$(curl -s --unix-socket "$MOMD_SOCK" http://momd/v1/status)
	p2=$(curl -s --unix-socket "$MOMD_SOCK" http://momd/v1/plan)
	python3 - "$m" "$s" "$p" "$s2" "$p2" >"$T_TMP/consistent.out" <<'PY'
import json, re, sys
m, s, p = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
s2, p2 = json.loads(sys.argv[4]), json.loads(sys.argv[5])
moving = ("cycles", "guests", "ingest", "actions", "interval_ms")
if p != p2 or any(s.get(k) != s2.get(k) for k in moving):
    print("a cycle ran during the snapshot")
    sys.exit(2)
def val(name, labels=""):
    r = re.search(r"^%s%s (\S+)$" % (re.escape(name), re.escape(labels)), m, re.M)
    return float(r.group(1)) if r else None
want = {
    ("momd_cycles_total", ""): s["cycles"],
    ("momd_guests", ""): s["guests"],
    ("momd_ingest_values_total", ""): s["ingest"]["values"],
    ("momd_ingest_batches_total", ""): s["ingest"]["batches"],
    ("momd_actions_total", '{result="applied"}'): s["actions"]["applied"],
    ("momd_actions_total", '{result="refused"}'): s["actions"]["refused"],
    ("momd_interval_seconds", ""): s["interval_ms"] / 1000,
    ("momd_balloon_target_bytes", '{guest="test"}'): p["applied"]["test"]["target"] * 1024,
    ("momd_plan_balloon_target_bytes", '{guest="test"}'): p["plan"]["guests"]["test"]["balloon_target"] * 1024,
    ("momd_plan_ksm_run", ""): p["plan"]["host"]["ksm_run"],
    ("momd_plan_ksm_sleep_seconds", ""): p["plan"]["host"]["ksm_sleep_millisecs"] / 1000,
}
bad = [(k, v, val(*k)) for k, v in want.items() if val(*k) is None or abs(val(*k) - v) > 1e-9 * max(1, abs(v))]
print(bad)
sys.exit(1 if bad else 0)
PY
}
end=$((SECONDS + 30))
until
	snapshot
	rc=$?
	[ "$rc" != 2 ] || [ "$SECONDS" -ge "$end" ]
do sleep 0.1; done
check "values equal /v1/status and /v1/plan (cycles, guests, ingest, actions, targets, KSM): $(cat "$T_TMP/consistent.out")" \
	[ "$rc" = 0 ]
check "momd_actions_total{result=\"applied\"} > 0 (balloons were set)" \
	grep -q '^momd_actions_total{result="applied"} [1-9]' "$T_TMP/metrics"
check "the odd guest name is escaped in its label" \
	grep -qF 'momd_guest_balloon_current_bytes{guest="we\"ird\\name"} 2147483648' "$T_TMP/metrics"

# ---- TCP ------------------------------------------------------------------------
check "TCP without the token: 401" \
	[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics")" = 401 ]
check "TCP with the token (as Prometheus scrapes): 200 and the metrics" \
	bash -c "curl -sf -H 'Authorization: Bearer $(cat "$T_TMP/token")' 'http://127.0.0.1:$PORT/metrics' | grep -q '^momd_info{'"
momd_log_clean
done_testing
