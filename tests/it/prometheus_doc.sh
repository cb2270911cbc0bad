#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# prometheus_doc.sh: README's table of momd's own metrics ("### momd's own
# metrics") lists exactly the families the real momd's GET /metrics serves,
# with their types, label names and (for momd_actions_total) label values.
# metrics_doc.sh does the same for the collectd tables against the metric
# contract; these families are prom.c's, so the real exposition is the
# reference.  momd runs with libvirt's test driver and a scratch KSM
# directory (tests/lib/api.sh) and is fed so that every family has a
# sample, the conditional ones too: a host in a memory emergency with its
# CPU count, guest "test" with balloon, vCPU and disk (vda) statistics, and
# guest "gone" that reports once and then stops (stale).  Hence no family
# is exempt here.  tests/it/prometheus_doc.py compares; it is shown to
# catch a README without a served family, with one that is not served, and
# with a wrong type or label.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/api.sh"

DOC=$ROOT/tests/it/prometheus_doc.py
# Samples go stale after 5 s (api.sh's hour would keep "gone" fresh): the
# feed below posts the host every round, far more often than that even on
# a slow sanitized run; "gone" is never forgotten (expiry an hour).
momd_start --samples-stale-ms 5000 --expiry-ms 3600000 ||
	{ not_ok "momd starts"; done_testing; }
api PATCH /v1/parameters '{"balloonEnabled": true}'
check "ballooning on" [ "$STATUS" = 200 ]

G=4294967296
# Host: free memory 1 % of available (under 02-balloon's 5 %: emergency),
# two CPUs (04-cputune needs the count).
feed_host() {
	post_host memory-total=10240000000 memory-free=100000000 \
		memory-available=10240000000 memory-buffers=0 memory-cached=0 \
		memory-anon=7168000000 memory-swap_total=0 memory-swap_free=0 \
		count-cpus=2 gauge-ksm_run=0 vmpage_number-ksm_pages_to_scan=100 \
		vmpage_number-ksm_shared=0 vmpage_number-ksm_sharing=0 \
		vmpage_number-ksm_unshared=0 vmpage_number-ksm_volatile=0 \
		total_operations-ksm_full_scans=0 memory-ksm_shareable=0 \
		duration-ksm_sleep=0.02 gauge-ksm_merge_across_nodes=1
}
# A guest's balloon and vCPU statistics (a CPU limit of 50 % and a live
# period other than 04-cputune's, so that it plans both quota and period),
# and disk vda's limits (live and vdsm's maximum: 05-iotune plans for a
# disk the metadata names).
feed_guest() {
	local io=() k
	for k in total read write; do
		io+=("gauge-vda-cur_${k}_bytes_sec=0" "gauge-vda-max_${k}_bytes_sec=1048576"
			"operations_per_second-vda-cur_${k}_iops_sec=0"
			"operations_per_second-vda-max_${k}_iops_sec=100")
	done
	post_guest "$1" memory-actual=$((G / 2)) memory-maximum=$((G * 2)) \
		memory-minimum=0 memory-available=$((G / 2)) \
		memory-unused=$((G / 8)) memory-usable=$((G / 8)) \
		memory-disk_caches=$((G / 16)) memory-rss=$((G / 2)) \
		count-vcpus=2 percent-vcpu_user_limit=50 gauge-vcpu_quota=-1 \
		gauge-vcpu_period=50000 "${io[@]}"
}
check "guest gone reports once" feed_guest gone

# Until each condition shows: a balloon set for test (applied, following),
# the emergency, the planned vCPU and disk limits, gone stale.  Waited for
# by the samples posted, not by README's rows, so a wrong row fails below
# at once.  60 s: gone needs 5 s to go stale, a sanitized cycle on a busy
# machine can take seconds.
scraped() {
	feed_host >/dev/null && feed_guest test >/dev/null &&
		api GET /metrics && cp "$T_TMP/body" "$T_TMP/metrics" &&
		grep -q '^momd_balloon_following{guest="test"} ' "$T_TMP/metrics" &&
		grep -q '^momd_plan_emergency 1$' "$T_TMP/metrics" &&
		grep -q '^momd_plan_vcpu_quota_microseconds{guest="test"} ' "$T_TMP/metrics" &&
		grep -q '^momd_plan_disk_io_limit{guest="test",disk="vda",limit="read_iops_sec"} ' "$T_TMP/metrics" &&
		grep -q '^momd_guest_samples_stale{guest="gone"} 1$' "$T_TMP/metrics"
}
check "/metrics has every condition fed (emergency, vCPU and disk plans, a stale guest)" \
	wait_for 60 "every condition in /metrics" scraped
check "$(grep -c '^# TYPE ' "$T_TMP/metrics") families served" \
	grep -q '^# TYPE momd_' "$T_TMP/metrics"

# The conditional families' samples are well-formed too (prometheus.sh
# checks the common ones with promtool as well).
if python3 "$ROOT/tests/it/promcheck.py" <"$T_TMP/metrics" >"$T_TMP/pc.out"; then
	ok "every family's samples pass the strict format check (promcheck.py)"
else
	not_ok "strict format check (promcheck.py)"
	sed 's/^/# /' "$T_TMP/pc.out"
fi

if python3 "$DOC" "$ROOT/README.md" "$T_TMP/metrics" >"$T_TMP/verdict"; then
	ok "README's table of momd's own metrics = the served families ($(cat "$T_TMP/verdict"))"
else
	not_ok "README's table of momd's own metrics differs from /metrics"
	sed 's/^/# /' "$T_TMP/verdict"
fi

# The checker on drifted copies of README: each must fail, naming the row.
drift() {
	local what=$1 expr=$2 want=$3 rc=0
	sed "$expr" "$ROOT/README.md" >"$T_TMP/README.md"
	python3 "$DOC" "$T_TMP/README.md" "$T_TMP/metrics" >"$T_TMP/drift" || rc=$?
	check "the checker fails on README $what (exit $rc): $(grep -m1 "^FAIL $want" "$T_TMP/drift")" \
		sh -c "[ $rc = 1 ] && grep -q '^FAIL $want' '$T_TMP/drift'"
}
drift "without a served family" '/^| `momd_plan_emergency` |/d' \
	'momd_plan_emergency: served (gauge), not in'
drift "with a family not served" \
	'/^| `momd_cycles_total` |/p; s/^| `momd_cycles_total` |/| `momd_cycles_run_total` |/' \
	'momd_cycles_run_total: in README.s table'
drift "with a wrong type" 's/^| `momd_held_cycles_total` | counter |/| `momd_held_cycles_total` | gauge |/' \
	'momd_held_cycles_total: README line [0-9]* says gauge, served as counter'
drift "with a wrong label" 's/^\(| `momd_disk_io_limit` | gauge | `guest`, `disk`\), `limit`/\1/' \
	'momd_disk_io_limit: README line [0-9]* has labels'
drift "with a label value missing" 's/, `failed` | actions by result/ | actions by result/' \
	'momd_actions_total: README line [0-9]*: result takes'
drift "with a renamed section" "s/^### momd's own metrics/### momd metrics/" \
	'README: no row'
momd_log_clean
done_testing
