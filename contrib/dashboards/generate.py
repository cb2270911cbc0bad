#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# generate.py: writes the two Grafana dashboards, mom-graphite.json and
# mom-influxdb.json, from one description of the panels, so that both show
# the same series under the names README.md "Metrics" documents.  Run it
# after changing a panel; tests/it/dashboards.sh checks that the files are
# its output and that every series they query is one the project emits.
#
# Graphite paths are what collectd's write_graphite writes with its
# defaults (Prefix "collectd.", StoreRates true: counters arrive as rates);
# InfluxDB queries read what InfluxDB 1.x's collectd input writes
# (measurement <plugin>_<dsname>, tags host, instance, type, type_instance;
# counters arrive raw, so they go through non_negative_derivative).
import json
import os
import sys

# A series: (scope, type, type_instance, data source, alias, kind).
# scope "host" has no plugin instance, "guest" the domain, "guests" sums
# over every domain.  ds is None for single-value types.  kind "rate" marks
# counters.
PANELS = [
    ("Host memory", "bytes", [
        ("host", "memory", "total", None, "total", "gauge"),
        ("host", "memory", "available", None, "available", "gauge"),
        ("host", "memory", "free", None, "free", "gauge"),
        ("host", "memory", "cached", None, "cached", "gauge"),
    ]),
    ("Memory pressure (PSI)", "percent", [
        ("host", "percent", "pressure_some_avg10", None, "some avg10", "gauge"),
        ("host", "percent", "pressure_full_avg10", None, "full avg10", "gauge"),
        ("host", "percent", "pressure_some_avg60", None, "some avg60", "gauge"),
    ]),
    ("KSM sharing", "none", [
        ("host", "vmpage_number", "ksm_shared", None, "pages shared", "gauge"),
        ("host", "vmpage_number", "ksm_sharing", None, "pages sharing", "gauge"),
        ("host", "vmpage_number", "ksm_pages_to_scan", None, "pages to scan", "gauge"),
        ("host", "vmpage_number", "ksm_pages_to_scan_target", None, "pages to scan (momd)", "gauge"),
    ]),
    ("KSM run and ksmd CPU", "none", [
        ("host", "percent", "ksmd_cpu", None, "ksmd CPU %", "gauge"),
        ("host", "gauge", "ksm_run", None, "run", "gauge"),
        ("host", "gauge", "ksm_run_target", None, "run (momd)", "gauge"),
    ]),
    ("Sum of balloons", "bytes", [
        ("guests", "memory", "actual", None, "sum of actual", "gauge"),
        ("guests", "memory", "target", None, "sum of targets (momd)", "gauge"),
        ("guests", "memory", "maximum", None, "sum of maximum", "gauge"),
    ]),
    ("Balloon of $guest", "bytes", [
        ("guest", "memory", "actual", None, "actual", "gauge"),
        ("guest", "memory", "target", None, "target (momd)", "gauge"),
        ("guest", "memory", "maximum", None, "maximum", "gauge"),
        ("guest", "memory", "minimum", None, "guaranteed minimum", "gauge"),
        ("guest", "memory", "usable", None, "usable (guest)", "gauge"),
    ]),
    ("Swap and faults of $guest", "ops", [
        ("guest", "swap_io", "in", None, "swap in B/s", "rate"),
        ("guest", "swap_io", "out", None, "swap out B/s", "rate"),
        ("guest", "ps_pagefaults", "", "majflt", "major faults/s", "rate"),
        ("guest", "ps_pagefaults", "", "minflt", "minor faults/s", "rate"),
    ]),
]

# Data source names of the types used above (collectd's types.db).
DSNAME = {"memory": "value", "percent": "value", "vmpage_number": "value",
          "gauge": "value", "swap_io": "value", "duration": "seconds"}


def graphite_target(scope, typ, tinst, ds, alias, kind):
    ident = typ + ("-" + tinst if tinst else "") + ("." + ds if ds else "")
    pinst = {"host": "mom", "guest": "mom-$guest", "guests": "mom-*"}[scope]
    path = "collectd.$host.%s.%s" % (pinst, ident)
    if scope == "guests":
        path = "sumSeries(%s)" % path
    return "alias(%s, '%s')" % (path, alias)


def influx_query(scope, typ, tinst, ds, alias, kind):
    field = "value"
    meas = "mom_" + (ds or DSNAME[typ])
    where = ["\"host\" =~ /^$host$/", "\"type\" = '%s'" % typ]
    if tinst:
        where.append("\"type_instance\" = '%s'" % tinst)
    if scope == "host":
        where.append("\"instance\" = ''")
    elif scope == "guest":
        where.append("\"instance\" =~ /^$guest$/")
    else:
        where.append("\"instance\" != ''")
    sel = "last(\"%s\")" % field
    if kind == "rate":
        sel = "non_negative_derivative(last(\"%s\"), 1s)" % field
    group = "time($__interval) fill(null)"
    q = "SELECT %s AS \"%s\" FROM \"%s\" WHERE %s AND $timeFilter GROUP BY %s" % (
        sel, alias, meas, " AND ".join(where), group)
    if scope == "guests":
        # Sum the per-guest last values in each interval.
        inner = "SELECT last(\"%s\") AS v FROM \"%s\" WHERE %s AND $timeFilter GROUP BY time($__interval), \"instance\"" % (
            field, meas, " AND ".join(where))
        q = "SELECT sum(\"v\") AS \"%s\" FROM (%s) GROUP BY time($__interval) fill(null)" % (alias, inner)
    return q


def panel(i, title, unit, series, backend, ds_uid):
    targets = []
    for n, s in enumerate(series):
        ref = chr(ord("A") + n)
        if backend == "graphite":
            targets.append({"refId": ref, "target": graphite_target(*s)})
        else:
            targets.append({"refId": ref, "query": influx_query(*s),
                            "rawQuery": True, "resultFormat": "time_series"})
    p = {
        "id": i + 1,
        "type": "timeseries",
        "title": title,
        "datasource": {"type": backend, "uid": ds_uid},
        "gridPos": {"h": 8, "w": 12, "x": 12 * (i % 2), "y": 8 * (i // 2)},
        "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
        "targets": targets,
    }
    if "$guest" in title:
        p["repeat"] = "guest"
        p["repeatDirection"] = "h"
    return p


def variables(backend, ds_uid):
    ds = {"type": backend, "uid": ds_uid}
    if backend == "graphite":
        hq, gq, greg = "collectd.*", "collectd.$host.mom-*", "/^mom-(.*)$/"
    else:
        hq = "SHOW TAG VALUES FROM \"mom_value\" WITH KEY = \"host\""
        gq = ("SHOW TAG VALUES FROM \"mom_value\" WITH KEY = \"instance\" "
              "WHERE \"host\" =~ /^$host$/ AND \"instance\" != ''")
        greg = ""
    return [
        {"name": "host", "label": "host", "type": "query", "datasource": ds,
         "query": hq, "refresh": 2, "multi": False, "includeAll": False},
        {"name": "guest", "label": "guest", "type": "query", "datasource": ds,
         "query": gq, "regex": greg, "refresh": 2, "multi": True,
         "includeAll": True},
    ]


def dashboard(backend):
    name = {"graphite": "Graphite", "influxdb": "InfluxDB"}[backend]
    ds_uid = "${DS_%s}" % backend.upper()
    return {
        "__inputs": [{"name": "DS_%s" % backend.upper(), "label": name,
                      "type": "datasource", "pluginId": backend,
                      "pluginName": name}],
        "title": "mom: host and guest memory (%s)" % name,
        "uid": "mom-%s" % backend,
        "description": "Memory overcommitment on a KVM host: host memory, "
                       "pressure, KSM, balloons and momd's targets. Series "
                       "as documented in mom's README.md, Metrics.",
        "tags": ["mom", "collectd", "kvm"],
        "schemaVersion": 36,
        "version": 1,
        "editable": True,
        "time": {"from": "now-1h", "to": "now"},
        "refresh": "30s",
        "templating": {"list": variables(backend, ds_uid)},
        "panels": [panel(i, t, u, s, backend, ds_uid)
                   for i, (t, u, s) in enumerate(PANELS)],
    }


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(
        os.path.abspath(__file__))
    for backend in ("graphite", "influxdb"):
        with open(os.path.join(outdir, "mom-%s.json" % backend), "w") as f:
            json.dump(dashboard(backend), f, indent=2)
            f.write("\n")


main()
