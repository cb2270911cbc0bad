#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# generate.py: writes tests/data/eval/<case>/{case.json,expected.json} from
# the worked cases B1..B22 and K1..K19 of the MOM reference (section 3),
# transcribed by hand below.  The expected controls are the reference's,
# not computed; only the "emergency" signal (our addition: host free
# fraction <= 0.05) is derived here.  Run it from the repository root.
import json, os

N = None
BASE = {"ksm_run": 0, "ksm_pages_shared": 0, "ksm_merge_across_nodes": 1,
        "ksm_pages_to_scan": 100, "ksm_sleep_millisecs": 20, "ksm_shareable": 0}

def ON(p, s, m=1):
    return {"ksm_run": 1, "ksm_pages_to_scan": p, "ksm_sleep_millisecs": s,
            "ksm_merge_across_nodes": m}

def OFF(m=1):
    return {"ksm_run": 0, "ksm_merge_across_nodes": m}

def hist(x):
    return x if isinstance(x, list) else [x]

def host(avail, free, **cur):
    frees = hist(free)
    return [dict(BASE, mem_available=avail, mem_free=f, **cur) for f in frees]

def guest(name, cur, mx, mn, unused):
    return {"name": name, "history": [
        {"balloon_cur": cur, "balloon_max": mx, "balloon_min": mn,
         "mem_unused": u} for u in hist(unused)]}

def emergency(samples):
    vals = [s["mem_free"] for s in samples if s["mem_free"] is not None]
    mean = sum(vals) / len(vals) if vals else 0.0
    return mean / samples[-1]["mem_available"] <= 0.05

cases = {}

def B(name, avail, free, guests, targets, hostctl, params=None, note="",
      errors=None):
    h = host(avail, free)
    cases[name] = (note, params if params is not None else {"balloonEnabled": 1},
                   h, guests, hostctl, targets, errors)

def K(name, avail, free, shareable, pts, shared, merge, run, ctl,
      params=None, note="", sleep=20):
    h = host(avail, free)
    for s in h:
        s.update(ksm_shareable=shareable, ksm_pages_to_scan=pts,
                 ksm_pages_shared=shared, ksm_merge_across_nodes=merge,
                 ksm_run=run, ksm_sleep_millisecs=sleep)
    cases[name] = (note, params or {}, h, [], ctl, {}, None)

G = guest
B("B1", 16000000, 1600000, [G("g", 4000000, 4000000, 0, 2000000)], {"g": 3800000}, ON(400, 10), note="hfp 0.10: 5% shrink (floor 2 400 000)")
B("B1b", 16000000, 1600000, [G("g", 4000000, 4000000, 0, 2000000)], {"g": 3800000}, ON(400, 10), params={"balloonEnabled": True, "ksmEnabled": True, "ksmMergeAcrossNodes": True}, note="B1 with bE, kE, kM = true")
B("B2", 10000000, 400000, [G("g", 2000000, 4000000, 0, 1000000)], {"g": 1900000}, ON(400, 16), note="critical: gfp -0.01, floor 980 000")
B("B3", 10000000, 1000000, [G("g", 2000000, 4000000, 1500000, 100000)], {}, ON(400, 16), note="floor 2 100 000 > cur")
B("B4", 10000000, 5000000, [G("g", 3000000, 4000000, 1000000, 500000)], {"g": 4000000}, OFF(), note="grow: gfp 0.5, floor jumps to max")
B("B5", 10000000, 5000000, [G("g", 2000000, 2004000, 0, 1500000)], {}, OFF(), note="capped at max; change 4 000 <= 5 000")
B("B6", 10000000, 3000000, [G("g", 2000000, 4000000, 0, 1200000)], {"g": 2100000}, OFF(), note="grow +5%")
B("B7a", 10000000, 5000000, [G("g", 900000, 2000000, 1000000, 100000)], {"g": 1000000}, OFF(), note="grow gives 1 250 000; QoS overrides")
B("B7b", 10000000, 1000000, [G("g", 900000, 2000000, 1000000, 100000)], {"g": 1000000}, ON(400, 16), note="shrink sets nothing; QoS sets min")
B("B8", 10000000, 1000000, [G("g", 3000000, 4000000, 0, 2000000)], {"g": 3150000}, ON(400, 16), params={"balloonEnabled": 0}, note="bE=0: grow path under pressure")
B("B8b", 10000000, 1000000, [G("g", 3000000, 4000000, 0, 2000000)], {"g": 3150000}, ON(400, 16), params={}, note="bE unset (default 0): grow path under pressure")
B("B9", 10000000, 5000000, [G("a", 900000, 2000000, 1000000, N), G("b", 1500000, 2000000, 1000000, N)], {"a": 1000000}, OFF(), note="validity fails; QoS still applies")
B("B10", 20000000, [1000000, 2000000, 3000000], [G("g", 4000000, 4000000, 0, 500000)], {"g": 3900000}, ON(400, 10), note="mean hfp 0.10: floor 3 900 000")
B("B10b", 20000000, 3000000, [G("g", 4000000, 4000000, 0, 500000)], {}, ON(400, 10), note="hfp 0.15: floor 4 100 000 > cur")
B("B11", 10000000, 2000000, [G("g", 3000000, 4000000, 0, 1000000)], {"g": 3150000}, ON(64, 16), note="hfp 0.20 exactly is not < 0.20: grow; KSM decays (mean = thr)")
B("B11b", 10000000, 1999999, [G("g", 3000000, 4000000, 0, 1000000)], {"g": 2850000}, ON(400, 16), note="shrink")
B("B12", 10000000, 500000, [G("g", 2000000, 4000000, 0, 150000)], {"g": 1900000}, ON(400, 16), note="hfp 0.05 exactly is critical (<=): gfp 0, floor 1 850 000")
B("B12b", 10000000, 600000, [G("g", 2000000, 4000000, 0, 150000)], {"g": 1970000}, ON(400, 16), note="gfp 0.06: floor binds")
B("B13", 10000000, 5000000, [G("g", 2000000, 2005000, 0, 1500000)], {}, OFF(), note="change exactly 0.25%: not >")
B("B13b", 10000000, 5000000, [G("g", 2000000, 2005001, 0, 1500000)], {"g": 2005001}, OFF(), note="change 5 001")
B("B14", 16000000, 1600000, [G("g", 2000000, 4000000, 0, 205000)], {}, ON(400, 10), note="floor 1 995 000: exactly 0.25%")
B("B14b", 16000000, 1600000, [G("g", 2000000, 4000000, 0, 205001)], {"g": 1994999}, ON(400, 10), note="change 5 001")
B("B15", 10000000, 5000000, [G("g", 2000000, 4000000, 0, [1000000, N, 600000])], {"g": 2200000}, OFF(), note="mean skips nil")
B("B16", 10000000, 5000000, [G("g", 2000000, 4000000, 0, [1000000, N])], {}, OFF(), note="validity uses the newest sample")
B("B17", 10000000, 1000000, [G("g", 4000000, 4000000, 0, 2000000), G("nob", N, N, N, 500000)], {"g": 3800000}, ON(400, 16),
  note="DIFFERS FROM MOM BY DESIGN: MOM aborted the whole cycle (no balloon, no KSM) because the QoS rule compares nob's absent balloon_cur; we isolate the error to nob",
  errors={"guests": {"nob": "02-balloon/guaranteed-minimum"}})
B("B18", 10000000, [N, N], [G("g", 2000000, 4000000, 0, 1000000)], {"g": 1900000}, ON(400, 16), note="all-nil mean = 0.0: critical, KSM boost")
B("B19", 10000000, 1000000, [G("g", 3333333, 4000000, 0, 2000000)], {"g": 3166666}, ON(400, 16), note="raw 3 166 666.35")
B("B20", 10000000, 3000000, [G("g", 3333333, 4000000, 0, 2000000)], {"g": 3499999}, OFF(), note="raw 3 499 999.65: truncated")
B("B21", 16000000, 1600000, [G("g", 4000000, 4000000, 0, 2000000)], {}, OFF(), params={"balloonEnabled": False, "ksmEnabled": False, "ksmMergeAcrossNodes": True}, note="at max; KSM off")
B("B22", 10000000, 5000000, [G("g", 3900000, 4000000, 0, 3000000)], {"g": 4000000}, OFF(), note="4 095 000 capped at max")

K("K1", 16777216, 8000000, 4000000, 100, 0, 1, 0, OFF(), note="idle")
K("K2", 16777216, 8000000, 14000000, 100, 0, 1, 0, ON(64, 10), note="committed >= 80%: on; decay raised to 64")
K("K3", 16777216, 2000000, 10000000, 100, 0, 1, 0, ON(400, 10), note="boost")
K("K4", 67108864, 2000000, 0, 1100, 0, 1, 0, ON(1250, 10), note="2.5 ms raised to 10; capped at 1250")
K("K5", 8388608, 1000000, 0, 64, 0, 1, 0, ON(364, 20), note="sleep 20")
K("K6", 16777216, 2000000, 10000000, 400, 500, 1, 1, {"ksm_run": 2}, params={"ksmEnabled": 0}, note="disabled with shared pages: unmerge")
K("K7", 16777216, 2000000, 10000000, 400, 500, 1, 1, {"ksm_run": 2}, params={"ksmMergeAcrossNodes": 0}, note="mode change: unmerge first")
K("K8", 16777216, 2000000, 10000000, 400, 0, 1, 2, ON(700, 10, 0), params={"ksmMergeAcrossNodes": 0}, note="unmerge done: switch mode, resume")
K("K9", 16777216, 2000000, 10000000, 400, 0, 0, 1, OFF(), params={"ksmEnabled": 0}, note="disabled with nothing shared")
K("K10", 16777216, [3355443] * 4 + [3355444], 0, 200, 0, 1, 0, ON(150, 10), note="mean free = thr = 3 355 443.2: on, decay")
K("K10b", 10000000, 2000000, 0, 200, 0, 1, 0, ON(150, 16), note="same boundary, round numbers")
K("K10c", 10000000, 1999999, 0, 200, 0, 1, 0, ON(500, 16), note="boost")
K("K10d", 10000000, 2000001, 0, 200, 0, 1, 0, OFF(), note="idle")
K("K11", 10000000, 5000000, 8000000, 200, 0, 1, 0, ON(150, 16), note="thr + committed = RAM exactly: on")
K("K11b", 10000000, 5000000, 7999999, 200, 0, 1, 0, OFF(), note="idle")
K("K12", 16777216, 8000000, 0, 100, 3, 1, 0, {"ksm_run": 2}, params={"ksmEnabled": 0}, note="disabled with pages shared: unmerge without pressure")
K("K13", 16777216, 2000000, 0, 1200, 0, 1, 1, ON(1250, 10), sleep=10, note="controls are set whether or not they changed")
K("K14", 10000000, [3000000, N, 1500000], 0, 200, 0, 1, 0, OFF(), note="mean of present values 2 250 000 > thr")
K("K15", 10000000, [N, N], 0, 200, 0, 1, 0, ON(500, 16), note="all-nil mean = 0.0")
K("K16", 4194304, 100000, 0, 64, 0, 1, 0, ON(364, 40), note="4 GiB host")
K("K17", 12582912, 100000, 0, 64, 0, 1, 0, ON(364, 13), note="raw sleep 13.33")
K("K18", 16777216, 2000000, 0, 100, 10, 0, 1, {"ksm_run": 2}, note="mode mismatch with pages shared beats pressure")
K("K19", 16777216, 8000000, 0, 100, 0, 1, 0, OFF(0), params={"ksmEnabled": 0, "ksmMergeAcrossNodes": 0}, note="disabled: the mode is still synced")

root = os.path.join("tests", "data", "eval")
for name, (note, params, h, guests, hostctl, targets, errors) in cases.items():
    d = os.path.join(root, name)
    os.makedirs(d, exist_ok=True)
    case = {"description": f"mom-reference {name}: {note}", "params": params,
            "host": {"history": h}, "guests": guests}
    exp = {"host": hostctl,
           "guests": {g: {"balloon_target": t} for g, t in targets.items()}}
    if emergency(h):
        exp["signals"] = {"emergency": 1}
    if errors:
        exp["errors"] = errors
    for fn, obj in (("case.json", case), ("expected.json", exp)):
        with open(os.path.join(d, fn), "w") as f:
            json.dump(obj, f, indent=1)
            f.write("\n")
print(len(cases), "cases")
