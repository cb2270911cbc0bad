#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# gen_batch.py: write_http JSON bodies (the wire format of README "Wire
# format") carrying what the mom read plugin dispatches for a host and its
# guests, for the ingest and memory benchmarks.  Byte-for-byte the shape
# write_mom and stock write_http print: keys in order, gauges %.15g, times
# and intervals with three decimals.
#
#   gen_batch.py template GUESTS [--host]
#       one sample of GUESTS guests (14 value lists, 15 values each; plus
#       the host's 21 when --host) with the literal @T@ in place of every
#       time, for a load generator that substitutes a fresh time per
#       request (tests/bench/ingest.lua)
#   gen_batch.py series GUESTS SAMPLES T0 INTERVAL CHUNK OUTDIR
#       SAMPLES samples of the host and GUESTS guests at T0, T0+INTERVAL,
#       ..., as bodies of at most CHUNK guests each: OUTDIR/NNNN.json in the
#       order to POST them
#
# Prints, on stderr, the number of value lists and values per body.
import os
import sys

HOST = "benchhost"


def rec(values, dstypes, dsnames, t, pinst, typ, tinst, meta=None):
    vals = ",".join(
        ("%.15g" % v) if d == "gauge" else str(int(v)) for v, d in zip(values, dstypes)
    )
    s = (
        '{"values":[%s],"dstypes":[%s],"dsnames":[%s],"time":%s,"interval":1.000,'
        '"host":"%s","plugin":"mom","plugin_instance":"%s","type":"%s","type_instance":"%s"'
        % (
            vals,
            ",".join('"%s"' % d for d in dstypes),
            ",".join('"%s"' % n for n in dsnames),
            t,
            HOST,
            pinst,
            typ,
            tinst,
        )
    )
    if meta:
        s += ',"meta":{%s}' % ",".join('"%s":"%s"' % kv for kv in meta.items())
    return s + "}"


def guest_records(g, t, k):
    """The mom plugin's value lists for guest g at sample k, as write_mom
    sends them (without the rows marked mom:unused, e.g. duration-stats_age,
    which write_mom leaves out since 8772d48); every one
    carries the domain's UUID (mom:uuid), as the plugin sends it and momd
    keys guests by it (with it on one value list only, momd would hold a
    second, name-keyed entity per guest)."""
    name = "bench-%05d" % g
    cur = (4194304 - (g % 97) * 1024) * 1024
    unused = (1048576 + ((g + k) % 13) * 4096) * 1024
    uuid = "6695eb01-f6a4-8304-79aa-%012x" % g

    def meta(extra=None):
        m = {"mom:uuid": uuid}
        m.update(extra or {})
        return m

    def gauge(tinst, v, extra=None):
        return rec([v], ["gauge"], ["value"], t, name, "memory", tinst, meta(extra))

    def one(values, dstypes, dsnames, typ, tinst, extra=None):
        return rec(values, dstypes, dsnames, t, name, typ, tinst, meta(extra))

    return [
        gauge("actual", cur),
        gauge("maximum", 4294967296),
        gauge("minimum", 0, {"mom:min_source": "none"}),
        gauge("available", cur - 102400000),
        gauge("unused", unused),
        gauge("usable", unused + 204800000),
        gauge("disk_caches", 204800000),
        gauge("rss", cur),
        one([k * 10], ["derive"], ["value"], "swap_io", "in"),
        one([k * 10], ["derive"], ["value"], "swap_io", "out"),
        one([k * 100, k], ["derive", "derive"], ["minflt", "majflt"], "ps_pagefaults", ""),
        one([0], ["derive"], ["value"], "total_operations", "hugetlb_pgalloc"),
        one([0], ["derive"], ["value"], "total_operations", "hugetlb_pgfail"),
        one([1700000000 + k], ["gauge"], ["value"], "gauge", "last_update"),
    ]


def host_records(t, k):
    total = 16777216 * 1024
    free = total // 2 + k * 4096
    gauge = lambda typ, tinst, v: rec([v], ["gauge"], ["value"], t, "", typ, tinst)
    return [
        gauge("memory", "total", total),
        gauge("memory", "free", free),
        gauge("memory", "available", free),
        gauge("memory", "buffers", 0),
        gauge("memory", "cached", 0),
        gauge("memory", "anon", total - free),
        gauge("memory", "swap_total", 0),
        gauge("memory", "swap_free", 0),
        rec([k, k], ["derive", "derive"], ["in", "out"], t, "", "vmpage_io", "swap"),
        gauge("gauge", "ksm_run", 1),
        gauge("vmpage_number", "ksm_shared", 1000),
        gauge("vmpage_number", "ksm_sharing", 5000),
        gauge("vmpage_number", "ksm_unshared", 100),
        gauge("vmpage_number", "ksm_volatile", 10),
        gauge("vmpage_number", "ksm_pages_to_scan", 100),
        rec([k], ["derive"], ["value"], t, "", "total_operations", "ksm_full_scans"),
        gauge("duration", "ksm_sleep", 0.02),
        gauge("gauge", "ksm_merge_across_nodes", 1),
        gauge("memory", "ksm_shareable", 0),
        gauge("percent", "ksmd_cpu", 1),
        gauge("count", "cpus", 2),
    ]


def body(records):
    return "[" + ",".join(records) + "]"


def count(records):
    return len(records), sum(r[r.index("[") + 1 : r.index("]")].count(",") + 1 for r in records)


def main(argv):
    if len(argv) >= 2 and argv[0] == "template":
        recs = []
        if "--host" in argv:
            recs += host_records("@T@", 0)
        for g in range(int(argv[1])):
            recs += guest_records(g, "@T@", 0)
        sys.stdout.write(body(recs))
        print("%d value lists, %d values" % count(recs), file=sys.stderr)
        return 0
    if len(argv) == 7 and argv[0] == "series":
        guests, samples = int(argv[1]), int(argv[2])
        t0, interval, chunk, out = float(argv[3]), float(argv[4]), int(argv[5]), argv[6]
        os.makedirs(out, exist_ok=True)
        n = 0
        for k in range(samples):
            t = "%.3f" % (t0 + k * interval)
            for start in range(0, guests, chunk):
                recs = host_records(t, k) if start == 0 else []
                for g in range(start, min(guests, start + chunk)):
                    recs += guest_records(g, t, k)
                with open(os.path.join(out, "%04d.json" % n), "w") as f:
                    f.write(body(recs))
                n += 1
        print("%d bodies" % n, file=sys.stderr)
        return 0
    print(__doc__ if __doc__ else "usage: see the header", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
