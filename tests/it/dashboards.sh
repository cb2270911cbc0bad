#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# dashboards.sh: the Grafana dashboards in contrib/dashboards.  They are
# exactly what generate.py writes; they are valid dashboards (panels,
# targets, the host and guest variables, an import input); and every series
# a panel queries is one of the metric contract, which README.md "Metrics"
# shows (build/tests/metric_doc --series), under the naming of its
# backend: Graphite paths
# collectd.$host.mom[-$guest|-*].<type>[-<type_instance>][.<ds>], InfluxDB
# measurements mom_<dsname> with type and type_instance tags.  The checker
# is shown to reject a dashboard querying an undocumented series.  (That the
# InfluxDB queries return data is checked in graphite_influx.sh.)
. "$(dirname "$0")/../lib/common.sh"

D=$ROOT/contrib/dashboards
"$BUILD/tests/metric_doc" --series >"$T_TMP/series"
mkdir -p "$T_TMP/gen"
python3 "$D/generate.py" "$T_TMP/gen"
for b in graphite influxdb; do
	check "mom-$b.json is generate.py's output" cmp -s "$D/mom-$b.json" "$T_TMP/gen/mom-$b.json"
done

cat >"$T_TMP/check.py" <<'PY'
import json, re, sys
series = {tuple(l.split()) for l in open(sys.argv[1])}
ds = {}
for line in open("/usr/share/collectd/types.db"):
    f = line.split()
    if f and not f[0].startswith("#"):
        ds[f[0]] = [d.strip().split(":")[0] for d in " ".join(f[1:]).split(",")]
def documented(scope, typ, tinst, dsn):
    return (scope, typ, tinst or "-", dsn or "-") in series
errs, n = [], 0
for path in sys.argv[2:]:
    d = json.load(open(path))
    backend = "graphite" if "graphite" in path else "influxdb"
    names = [v["name"] for v in d["templating"]["list"]]
    if names != ["host", "guest"] or not d.get("__inputs") or not d["panels"]:
        errs.append("%s: variables %s, inputs, panels" % (path, names))
    for p in d["panels"]:
        if not p.get("targets") or p["datasource"]["type"] != backend:
            errs.append("%s: panel %r has no targets or another datasource" % (path, p["title"]))
        for t in p["targets"]:
            n += 1
            if backend == "graphite":
                m = re.search(r"collectd\.\$host\.mom(-\$guest|-\*)?\.([a-z_]+)(?:-([a-z0-9_]+))?(?:\.([a-z_]+))?[,)]", t["target"])
                if not m:
                    errs.append("unparsed Graphite target %r" % t["target"]); continue
                scope = "guest" if m.group(1) else "host"
                typ, tinst, dsn = m.group(2), m.group(3), m.group(4)
            else:
                q = t["query"]
                m = re.search(r'FROM "mom_([a-z_]+)"', q)
                ty = re.search(r"\"type\" = '([a-z_]+)'", q)
                ti = re.search(r"\"type_instance\" = '([a-z0-9_]+)'", q)
                if not m or not ty:
                    errs.append("unparsed InfluxDB query %r" % q); continue
                typ, tinst = ty.group(1), ti.group(1) if ti else None
                scope = "host" if "\"instance\" = ''" in q else "guest"
                dsn = m.group(1) if len(ds.get(typ, [])) > 1 else None
                if m.group(1) not in ds.get(typ, []):
                    errs.append("measurement mom_%s does not match type %s" % (m.group(1), typ))
            if not documented(scope, typ, tinst, dsn):
                errs.append("%s: %r queries an undocumented series %s" % (path, p["title"], (scope, typ, tinst, dsn)))
print("\n".join(errs))
print("checked %d queries" % n, file=sys.stderr)
sys.exit(1 if errs or n == 0 else 0)
PY
if python3 "$T_TMP/check.py" "$T_TMP/series" "$D/mom-graphite.json" "$D/mom-influxdb.json" \
	>"$T_TMP/out" 2>"$T_TMP/n"; then
	ok "every series the dashboards query is documented ($(cat "$T_TMP/n"))"
else
	not_ok "dashboards query undocumented series"
	sed 's/^/# /' "$T_TMP/out" "$T_TMP/n"
fi
# The checker fails on a dashboard with an undocumented series.
sed 's/memory-target/memory-targte/' "$D/mom-graphite.json" >"$T_TMP/bad-graphite.json"
sed "s/= 'usable'/= 'usabel'/" "$D/mom-influxdb.json" >"$T_TMP/bad-influxdb.json"
check "the misspelt copies differ from the originals" \
	bash -c "! cmp -s '$D/mom-graphite.json' '$T_TMP/bad-graphite.json' && ! cmp -s '$D/mom-influxdb.json' '$T_TMP/bad-influxdb.json'"
for b in graphite influxdb; do
	if python3 "$T_TMP/check.py" "$T_TMP/series" "$T_TMP/bad-$b.json" >/dev/null 2>&1; then
		not_ok "the checker rejects a $b dashboard with a misspelt series"
	else
		ok "the checker rejects a $b dashboard with a misspelt series"
	fi
done
check "the dashboards plot target beside actual (Graphite and InfluxDB)" \
	bash -c "grep -q 'mom-\\\$guest.memory-target' '$D/mom-graphite.json' && grep -q \"type_instance.. = 'target'\" '$D/mom-influxdb.json'"
done_testing
