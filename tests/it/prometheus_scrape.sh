#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# prometheus_scrape.sh: a real Prometheus server (Debian's prometheus)
# scrapes momd's GET /metrics over loopback TCP with the bearer token, as
# README's scrape_configs example says, every second; PromQL over its HTTP
# API then returns a guest's balloon target beside its actual size, equal
# to what momd's own API says.  momd decides on samples posted as collectd
# would, with libvirt's in-process test driver (its domain "test") and a
# scratch KSM directory.  Prometheus runs with a scratch configuration and
# storage on a free port and is stopped at the end.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/api.sh"

if ! command -v prometheus >/dev/null; then
	not_ok "prometheus is installed (tests/install-deps.sh installs Debian's prometheus package)"
	done_testing
fi
PORT=$(free_port)
echo 0123456789abcdef0123456789abcdef >"$T_TMP/token" && chmod 600 "$T_TMP/token"
momd_start --listen "127.0.0.1:$PORT" --token-file "$T_TMP/token" ||
	{ not_ok "momd starts"; done_testing; }
api PATCH /v1/parameters '{"balloonEnabled": true}'

# A host short of memory and the test driver's domain "test" reporting
# 2 GiB of 8 GiB, most of it unused: the policy shrinks it.
G=4294967296
feed() {
	while :; do
		post_host memory-total=10240000000 memory-free=1024000000 \
			memory-available=1536000000 memory-buffers=0 memory-cached=0
		post_guest test memory-actual=$((G / 2)) memory-maximum=$((G * 2)) \
			memory-minimum=0 memory-available=$((G / 2)) \
			memory-unused=$((G / 8)) memory-usable=$((G / 8))
		nap 0.5
	done >/dev/null 2>&1
}
feed &
FEED=$!
at_exit "kill $FEED"

PPORT=$(free_port)
mkdir -p "$T_TMP/prom"
cat >"$T_TMP/prom/prometheus.yml" <<YML
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: momd
    static_configs: [{targets: ["127.0.0.1:$PORT"]}]
    authorization: {credentials_file: $T_TMP/token}
YML
check "promtool accepts the scrape configuration" \
	sh -c "promtool check config '$T_TMP/prom/prometheus.yml' >/dev/null 2>&1"
prometheus --config.file="$T_TMP/prom/prometheus.yml" \
	--storage.tsdb.path="$T_TMP/prom/data" \
	--web.listen-address="127.0.0.1:$PPORT" >"$T_TMP/prom/log" 2>&1 &
PROM=$!
at_exit stop_pid "$PROM"
P=http://127.0.0.1:$PPORT
if ! check "Prometheus starts on 127.0.0.1:$PPORT" wait_for 60 "prometheus ready" curl -sf "$P/-/ready"; then
	tail -5 "$T_TMP/prom/log" | sed 's/^/# /'
	done_testing
fi

# promql EXPR: the query's result vector as JSON [[labels, value], ...].
promql() {
	curl -s --get --data-urlencode "query=$1" "$P/api/v1/query" | momapi json \
		'[[x["metric"], float(x["value"][1])] for x in (j["data"]["result"] if j["status"] == "success" else None)]'
}
up() { [ "$(promql 'up{job="momd"}')" != "[]" ] && promql 'up{job="momd"}' | grep -q '1.0\]\]'; }
check "the scrape target is up (bearer token accepted)" wait_for 30 "up{job=momd} == 1" up

# Target beside actual: one query, the two series of guest "test".
Q='{__name__=~"momd_balloon_target_bytes|momd_guest_balloon_current_bytes", guest="test"}'
both() { [ "$(promql "$Q" | momapi json 'len(j)')" = 2 ]; }
check "PromQL returns the balloon target beside the actual size" \
	wait_for 30 "two series for guest test" both
R=$(promql "$Q")
diag "query: $Q -> $R"
series() { momapi json --arg name "$1" 'int([v for m, v in j if m["__name__"] == name][0])' <<<"$R"; }
target=$(series momd_balloon_target_bytes)
actual=$(series momd_guest_balloon_current_bytes)
check "actual size = the samples' memory-actual ($actual bytes)" [ "$actual" = $((G / 2)) ]
check "the target is below the actual size: the guest is being shrunk ($target < $actual)" \
	[ "$target" -lt "$actual" ]
kill "$FEED" 2>/dev/null
applied=$(momapi GET /v1/plan .applied.test.target)
check "the target is what momd applied (GET /v1/plan: $applied KiB)" \
	[ "$target" = $((applied * 1024)) ]
ratio=$(promql 'momd_balloon_target_bytes{guest="test"} / on(guest) momd_guest_balloon_current_bytes{guest="test"}')
check "a PromQL expression over both (target / actual < 1): $ratio" \
	test "$(momapi json 'len(j) == 1 and 0 < j[0][1] < 1' <<<"$ratio")" = true
stop_pid "$PROM"
momd_log_clean
done_testing
