# SPDX-License-Identifier: Apache-2.0
#
# api.sh: helpers for the REST API tests (it/api.sh, it/openapi.sh,
# it/momctl.sh, it/vdsm_client.sh).  Sourced after common.sh.  momd runs
# for real on its real unix socket, with libvirt's in-process test driver
# (test:///default) and a scratch KSM directory, so nothing on the host is
# touched.
#
#   momd_start, momd_stop, momd_log_clean, api, api_out, momapi, jv
#                            tests/lib/momd.sh (sourced here), with these
#                            defaults in MOMD_BASE_FLAGS: policies
#                            $MOMD_POLICIES, the test driver, KSM in
#                            $MOMD_KSM, a 500 ms cycle, and samples stale
#                            after an hour only: these tests post a sample
#                            once and watch several cycles (it/stale_data.sh
#                            tests the hold on stale samples)
#   post_host K=V...         post one host sample through /v1/metrics;
#                            K is the collectd type-instance (gauge-ksm_run);
#                            its time is now, or $MOMD_AT when set (epoch
#                            seconds: posts of one collectd read share it)
#   post_guest NAME K=V...   the same for a guest
#   state_snapshot [LINE...] what a refused request must not change: the
#                            policies, parameters and state_dir files; each
#                            LINE adds a request of `momapi batch` (e.g.
#                            'GET /v1/status .ingest.batches')
#   free_port                an unused TCP port on 127.0.0.1
. "$ROOT/tests/lib/momd.sh"
MOMD_POLICIES=$T_TMP/policies
MOMD_KSM=$T_TMP/ksm
MOMD_BASE_FLAGS=(--policy-dir "$MOMD_POLICIES" --libvirt-uri test:///default
	--ksm-dir "$MOMD_KSM" --interval-ms 500 --rail-stale-ms 0
	--samples-stale-ms 3600000)

_api_setup() {
	local f
	mkdir -p "$MOMD_POLICIES" "$MOMD_KSM"
	cp "$ROOT"/policies/*.json "$MOMD_POLICIES/"
	for f in run pages_to_scan sleep_millisecs merge_across_nodes \
		pages_shared pages_sharing; do
		echo 0 >"$MOMD_KSM/$f"
	done
}
_api_setup

# The write_http JSON of one record.
_record() {
	local inst=$1 type=${2%%-*} tinst=${2#*-} value=$3
	printf '{"values":[%s],"dstypes":["gauge"],"dsnames":["value"],"time":%s,"interval":10,"host":"hv01","plugin":"mom","plugin_instance":"%s","type":"%s","type_instance":"%s"}' \
		"$value" "$MOMD_NOW" "$inst" "$type" "$tinst"
}

_post() {
	local inst=$1 kv sep="" body="["
	shift
	MOMD_NOW=${MOMD_AT:-$(date +%s.%N | cut -c1-14)}
	for kv in "$@"; do
		body+=$sep$(_record "$inst" "${kv%%=*}" "${kv#*=}")
		sep=,
	done
	api POST /v1/metrics "$body]"
	[ "$STATUS" = 200 ]
}

post_host() { _post "" "$@"; }
post_guest() {
	local name=$1
	shift
	_post "$name" "$@"
}

state_snapshot() {
	# One client process, one connection, for the five reads.
	{
		printf 'GET %s\n' /v1/policies /v1/effective-policy /v1/parameters \
			/v1/dry-run /v1/log-level
		[ $# -eq 0 ] || printf '%s\n' "$@"
	} | momapi batch
	(cd "$MOMD_STATE" 2>/dev/null &&
		find . -printf '%p %m %s\n' | sort && cat ./* 2>/dev/null)
}

free_port() { momapi free-port; }
