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
#
# Or, first: wait SECS SINCE SERIES WHISPER_DIR INFLUX_URL g1 g2 -- wait up
# to SECS seconds until every documented series is in both stores (carbon
# writes its cache to whisper files later, and later still on a busy
# machine; InfluxDB batches), with a point at or after SINCE (epoch s)
# except for the series only momd's answers feed (targets: momd is stopped
# by then).  Exits 0 when all are there, else 1 and names what is missing.
import json
import re
import sys
import time
import urllib.parse
import urllib.request

import whisper


def point_since(path, since):
    try:
        _, vals = whisper.fetch(path, since - 1)
    except (OSError, whisper.WhisperException):
        return False
    return any(v is not None for v in vals)


def influx_since(url, meas, typ, tinst, inst, since):
    q = ("SELECT last(value) FROM \"%s\" WHERE host='testhost' AND type='%s' AND "
         "type_instance='%s' AND instance='%s' AND time >= %ds" % (meas, typ, tinst, inst, since))
    try:
        with urllib.request.urlopen(url + "/query?" + urllib.parse.urlencode(
                {"db": "collectd", "q": q}), timeout=10) as r:
            return bool(json.load(r)["results"][0].get("series"))
    except OSError:
        return False


# libvirt's test driver has no vCPU scheduler parameters, so the read
# plugin sends no vcpu_quota or vcpu_period for its domains (absent, never
# made up); tests/it/vdsm_cputune.sh sees them on real guests.
NOT_ON_TEST_DRIVER = {("gauge", "vcpu_quota"), ("gauge", "vcpu_period")}


# Disk series (metric_doc's scope "disk"): g1's disk vda only (its ioTune
# metadata in graphite_influx.sh); the type instance is "vda-<name>".
DISKS = {"g1": "vda"}
LIMITS = ["total_bytes_sec", "read_bytes_sec", "write_bytes_sec",
          "total_iops_sec", "read_iops_sec", "write_iops_sec"]


def instances(scope, guests):
    """(plugin instance, type-instance prefix) pairs a series is sent for."""
    if scope == "host":
        return [("", "")]
    if scope == "disk":
        return [(g, DISKS[g] + "-") for g in sorted(guests) if g in DISKS]
    return [(g, "") for g in sorted(guests)]


def disk_value(tinst):
    """graphite_influx.sh's metadata: maximum 0, guaranteed 1000..6000;
    the live limits are the test driver's 0."""
    group, limit = tinst.split("_", 1)
    # Targets (<limit>_target): the plan's, the maximum, 0.
    return (LIMITS.index(limit) + 1) * 1000 if group == "guar" else 0


def wait_all(secs, since, series, wdir, url, guests):
    dsnames = {}
    for line in open("/usr/share/collectd/types.db"):
        f = line.split()
        if f and not f[0].startswith("#"):
            dsnames[f[0]] = [d.strip().split(":")[0] for d in " ".join(f[1:]).split(",")]
    want = []
    for line in open(series):
        scope, typ, tinst, ds = line.split()
        tinst = "" if tinst == "-" else tinst
        ds = None if ds == "-" else ds
        if (typ, tinst) in NOT_ON_TEST_DRIVER:
            continue
        # Targets come from momd's answers, which stopped with momd: any
        # point of this run (within the 1 s archive, which holds an hour).
        t0 = since - 1800 if tinst.endswith("target") else since
        for inst, pre in instances(scope, guests):
            ident = typ + ("-" + pre + tinst if tinst else "")
            gpath = "collectd.testhost.mom%s.%s%s" % ("-" + inst if inst else "", ident,
                                                     "." + ds if ds else "")
            want.append(("Graphite " + gpath, point_since,
                         (wdir + "/" + gpath.replace(".", "/") + ".wsp", t0)))
            want.append(("InfluxDB %s/%s/%s/%s" % (inst, typ, pre + tinst, ds or ""), influx_since,
                         (url, "mom_" + (ds or dsnames[typ][0]), typ, pre + tinst, inst, t0)))
    end = time.time() + secs
    while True:
        want = [w for w in want if not w[1](*w[2])]
        if not want:
            return 0
        if time.time() >= end:
            print("missing after %ds: %s" % (secs, ", ".join(w[0] for w in want)))
            return 1
        time.sleep(0.5)


if sys.argv[1] == "wait":
    sys.exit(wait_all(int(sys.argv[2]), int(sys.argv[3]), *sys.argv[4:7], sys.argv[7:]))

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


SHARES = {"g1": 2000, "g2": 500}


def guest_value(g, typ, tinst, ds):
    cur, mx, mn = GUESTS[g]
    half = cur // 2 // K * K
    table = {
        ("memory", "actual"): cur, ("memory", "maximum"): mx,
        ("memory", "minimum"): mn, ("memory", "available"): cur,
        ("memory", "unused"): half, ("memory", "usable"): half,
        ("memory", "rss"): half, ("memory", "disk_caches"): cur // 8 // K * K,
        ("gauge", "last_update"): 627319920,
        # lv_define's domains have one vCPU and no tune metadata (vdsm's
        # default limit, 100 %): 04-cputune plans no quota.
        ("count", "vcpus"): 1, ("percent", "vcpu_user_limit"): 100,
        ("gauge", "vcpu_quota_target"): -1, ("gauge", "vcpu_period_target"): 100000,
        # Plain <memballoon> (features off); shares from lv_define's
        # metadata in graphite_influx.sh.
        ("gauge", "balloon_autodeflate"): 0,
        ("gauge", "balloon_free_page_reporting"): 0,
        ("gauge", "shares"): SHARES[g],
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
    # whisper answers from the first archive whose retention covers now -
    # from: exactly an hour back would fall to the 60 s archive (no point
    # yet) as soon as the clock passes the next second, which a slow run of
    # these checks does.  Half an hour back stays in the 1 s archive.
    try:
        _, vals = whisper.fetch(path, int(time.time()) - 1800)
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
    if (typ, tinst) in NOT_ON_TEST_DRIVER:
        return
    for inst, pre in instances(scope, GUESTS):
        ident = typ + ("-" + pre + tinst if tinst else "")
        if scope == "host":
            want = HOST_VALUES[(typ, tinst) + ((ds,) if ds else ())]
        elif scope == "disk":
            want = disk_value(tinst)
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
        got = influx_last(meas, typ, pre + tinst, inst)
        out(match(got, want, tol), "InfluxDB %s{instance=%r,type=%s,type_instance=%r} = %s (got %s)" % (
            meas, inst, typ, pre + tinst, want if not isinstance(want, tuple) else want[0], got))


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
