#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# graphite_influx_check.py: the checks of tests/it/graphite_influx.sh.
# For every series of the metric contract (metric_doc --series), its
# whisper file at the documented Graphite path and its InfluxDB series (measurement
# mom_<dsname>, tags host, instance, type, type_instance) hold the expected
# value.  Prints "PASS desc" or "FAIL desc" lines.
#
# argv: SERIES WHISPER_DIR INFLUX_URL ACTIONS.json PLAN.json
#       g1=CUR_KIB:MAX_KIB:MIN_KIB g2=... INFLUX_DASHBOARD.json
import json
import re
import sys
import time
import urllib.parse
import urllib.request

import whisper

SERIES, WDIR, INFLUX, ACTIONS, PLAN = sys.argv[1:6]
GUESTS = {}
for arg in sys.argv[6:8]:
    name, nums = arg.split("=")
    GUESTS[name] = [int(x) * 1024 for x in nums.split(":")]
DASHBOARD = sys.argv[8]
HOST = "testhost"
NOW = time.time()
K = 1024

# types.db data source names (InfluxDB measurement mom_<dsname>).
DSNAMES = {}
for line in open("/usr/share/collectd/types.db"):
    f = line.split()
    if f and not f[0].startswith("#"):
        DSNAMES[f[0]] = [d.strip().split(":")[0] for d in " ".join(f[1:]).split(",")]

plan = json.load(open(PLAN))
ksm_plan = plan["plan"]["host"]
applied = {}
for a in json.load(open(ACTIONS)):
    if a["result"] == "applied" and a["subject"].startswith("guest:"):
        applied.setdefault(a["subject"][6:], set()).add(a["new"] * K)

# Host fixture values (tests/fixtures/root; meminfo from pl_meminfo in the
# test: AnonPages = MemTotal - MemFree).
HOST_VALUES = {
    ("memory", "total"): 10000000 * K, ("memory", "free"): 1000000 * K,
    ("memory", "available"): 1500000 * K, ("memory", "buffers"): 0,
    ("memory", "cached"): 0, ("memory", "anon"): 9000000 * K,
    ("memory", "swap_total"): 0, ("memory", "swap_free"): 0,
    ("vmpage_io", "swap", "in"): 1234, ("vmpage_io", "swap", "out"): 5678,
    ("percent", "pressure_some_avg10"): 1.5, ("percent", "pressure_some_avg60"): 2.25,
    ("percent", "pressure_full_avg10"): 0.75, ("percent", "pressure_full_avg60"): 1,
    ("total_time_in_ms", "pressure_some"): 123456,
    ("total_time_in_ms", "pressure_full"): 23456,
    ("gauge", "ksm_run"): 1, ("vmpage_number", "ksm_shared"): 1100,
    ("vmpage_number", "ksm_sharing"): 4400, ("vmpage_number", "ksm_unshared"): 550,
    ("vmpage_number", "ksm_volatile"): 77, ("vmpage_number", "ksm_zero_pages"): 33,
    ("vmpage_number", "ksm_pages_to_scan"): 100,
    ("total_operations", "ksm_full_scans"): 12, ("duration", "ksm_sleep"): 0.02,
    ("gauge", "ksm_merge_across_nodes"): 1, ("gauge", "ksm_general_profit"): 13516800,
    ("gauge", "ksm_advisor_mode"): 0, ("percent", "ksmd_cpu"): 0,
    ("memory", "ksm_shareable"): 6291456 * K, ("count", "cpus"): 4,
    ("gauge", "ksm_run_target"): ksm_plan["ksm_run"],
    ("vmpage_number", "ksm_pages_to_scan_target"): ksm_plan["ksm_pages_to_scan"],
    ("duration", "ksm_sleep_target"): ksm_plan["ksm_sleep_millisecs"] / 1000,
}
COUNTERS = {"vmpage_io", "total_time_in_ms", "total_operations", "swap_io",
            "ps_pagefaults"}


def guest_value(g, typ, tinst, ds):
    cur, mx, mn = GUESTS[g]
    half = cur // 2 // K * K
    table = {
        ("memory", "actual"): cur, ("memory", "maximum"): mx,
        ("memory", "minimum"): mn, ("memory", "available"): cur,
        ("memory", "unused"): half, ("memory", "usable"): half,
        ("memory", "rss"): half, ("memory", "disk_caches"): cur // 8 // K * K,
        ("gauge", "last_update"): 627319920,
    }
    if typ in COUNTERS:
        return 0
    if (typ, tinst) == ("duration", "stats_age"):
        return ("range", NOW - 627319920 - 120, NOW - 627319920 + 5)
    if (typ, tinst) == ("memory", "target"):
        return ("oneof", applied.get(g, set()))
    return table[(typ, tinst)]


def match(got, want, tol):
    if got is None:
        return False
    if isinstance(want, tuple) and want[0] == "range":
        return want[1] <= got <= want[2]
    if isinstance(want, tuple) and want[0] == "oneof":
        return got in want[1]
    return abs(got - want) <= tol


def whisper_last(path, all_values=False):
    # 50 minutes back, well inside the 1s:1h archive: from exactly an hour
    # back, whisper answers from the 60s archive as soon as a second has
    # passed, where a series with few points (the targets) aggregates to
    # nothing under the default xFilesFactor.
    try:
        _, vals = whisper.fetch(path, int(NOW) - 3000)
    except (OSError, whisper.WhisperException):
        return None
    vals = [v for v in vals if v is not None]
    if all_values:
        return vals
    return vals[-1] if vals else None


def influx(q):
    url = INFLUX + "/query?" + urllib.parse.urlencode({"db": "collectd", "q": q})
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


def influx_last(meas, typ, tinst, inst):
    q = ("SELECT last(value) FROM \"%s\" WHERE host='%s' AND type='%s' AND "
         "type_instance='%s' AND instance='%s'" % (meas, HOST, typ, tinst, inst))
    try:
        s = influx(q)["results"][0].get("series")
    except OSError:
        return None
    return s[0]["values"][0][1] if s else None


def out(ok, desc):
    print(("PASS " if ok else "FAIL ") + desc)


def check(scope, typ, tinst, ds):
    tinst = "" if tinst == "-" else tinst
    ds = None if ds == "-" else ds
    ident = typ + ("-" + tinst if tinst else "")
    for inst in ([""] if scope == "host" else sorted(GUESTS)):
        if scope == "host":
            want = HOST_VALUES[(typ, tinst) + ((ds,) if ds else ())]
        else:
            want = guest_value(inst, typ, tinst, ds)
        tol = 1024 if scope == "guest" else 1e-9 * max(1, abs(want) if not isinstance(want, tuple) else 1)
        plugin = "mom" + ("-" + inst if inst else "")
        gpath = "collectd.%s.%s.%s%s" % (HOST, plugin, ident, "." + ds if ds else "")
        wfile = "%s/%s.wsp" % (WDIR, gpath.replace(".", "/"))
        # StoreRates: Graphite holds the rate of a counter (constant: 0).
        gwant = 0 if typ in COUNTERS else want
        if isinstance(want, tuple) and want[0] == "oneof":
            vals = whisper_last(wfile, all_values=True)
            ok = bool(vals) and all(v in want[1] for v in vals)
            out(ok, "Graphite %s: every value (%d) is a target momd applied" % (gpath, len(vals or [])))
        else:
            got = whisper_last(wfile)
            out(match(got, gwant, tol), "Graphite %s = %s (got %s)" % (gpath, gwant, got))
        meas = "mom_" + (ds or DSNAMES[typ][0])
        got = influx_last(meas, typ, tinst, inst)
        out(match(got, want, tol), "InfluxDB %s{instance=%r,type=%s,type_instance=%r} = %s (got %s)" % (
            meas, inst, typ, tinst, want if not isinstance(want, tuple) else want[0], got))


def dashboards():
    d = json.load(open(DASHBOARD))
    for p in d["panels"]:
        for t in p["targets"]:
            q = t["query"].replace("$host", HOST).replace("$guest", "g1")
            q = q.replace("$timeFilter", "time > now() - 1h").replace("$__interval", "1s")
            try:
                r = influx(q)["results"][0]
            except OSError as e:
                r = {"error": str(e)}
            ok = "error" not in r and any(
                v[1] is not None for s in r.get("series", []) for v in s["values"])
            out(ok, "InfluxDB dashboard query of %r (%s) returns data%s" % (
                p["title"], t["refId"], "" if ok else ": " + str(r)[:200]))


for line in open(SERIES):
    check(*line.split())
dashboards()
