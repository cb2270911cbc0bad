#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# generate.py: writes tests/data/eval-adaptive/<case>/{case.json,
# expected.json}, one case per branch of policies/adaptive (issue 19).  The
# expected targets are computed here from the law as README.md states it
# ("The adaptive policy set"), written independently of the JSON policy,
# with the defines' values repeated below.  Run it from the repository root.
import json, math, os

K = dict(margin_min=65536, margin_frac=0.05, floor_base=131072,
         floor_frac=0.125, grow_frac=0.25, cooldown=12, quiet_cycles=10, drop=32768, drop_own=16384, peak_decay=0.98,
         calm_frac=0.25, calm_max=131072, min_step=8192, pressure_max=262144,
         deadband=4096, idle_tax=3, swapin=64, majflt=50, t1_enter=0.20,
         t1_leave=0.25, t2_enter=0.10, t2_leave=0.13, host_psi=5.0,
         shares=1000)
GiB = 1048576

def peak_of(g, s):
    used = max(0, g["balloon_cur"] - g["mem_usable"])
    return max(used, K["peak_decay"] * s.get("peak_used", 0))

def floor_of(g, s):
    mx = g["balloon_max"]
    margin = max(K["margin_min"], K["margin_frac"] * mx)
    fsize = min(mx, K["floor_base"] + K["floor_frac"] * mx)
    return min(mx, max(g.get("balloon_min", 0), peak_of(g, s) + margin, fsize)), margin

def tier_of(h, prev):
    f = h["mem_usable"] / h["mem_available"]
    if f < K["t2_enter"] or (prev >= 2 and f < K["t2_leave"]):
        return 2
    if (f < K["t1_enter"] or (prev >= 1 and f < K["t1_leave"])
            or h.get("psi_some_avg10", 0) > K["host_psi"]):
        return 1
    return 0

def weight(g, s):
    fl, _ = floor_of(g, s)
    idle = g["mem_usable"] / max(1, g["balloon_cur"])
    return (max(0, g["balloon_cur"] - fl) * (1 + K["idle_tax"] * idle) * 1000
            / max(1, g.get("shares", K["shares"])))

def decide(h, guests, state, enabled=1):
    """Targets and next state, as the README states the law."""
    prev = state.get("host", {}).get("tier", 0)
    tier = tier_of(h, prev)
    deficit = max(0, K["t1_leave"] * h["mem_available"] - h["mem_usable"])
    gst = lambda g: state.get("guests", {}).get(g["name"], {})
    wsum = sum(weight(g, gst(g)) for g in guests)
    out, st = {}, {"host": {"tier": tier}, "guests": {}}
    for g in guests:
        name = g["name"]
        s = state.get("guests", {}).get(name, {})
        cool, quiet = s.get("cooldown", 0), s.get("quiet", 0)
        # The law forgets its last step first of all, so that a cycle it
        # stops early (stale statistics) leaves no step to mask a later rise.
        if g.get("stats_age", 0) > 30:
            st["guests"][name] = {k: v for k, v in dict(s, step=0).items() if k != "step_from"}
            continue
        cur, mx, usable = g["balloon_cur"], g["balloon_max"], g["mem_usable"]
        fl, margin = floor_of(g, s)
        peak = peak_of(g, s)
        # The rise of the guest's use above its mean: from its own
        # statistics (MemTotal - MemAvailable, one snapshot) when the
        # balloon has no autodeflate, so MemTotal follows the balloon; else
        # balloon size - usable, with the coarser threshold.
        avg = lambda k: g.get("avg_" + k, g[{"usable": "mem_usable", "avail": "mem_available",
                                             "cur": "balloon_cur"}[k]])
        if g.get("balloon_autodeflate", 1) == 0:
            drop = max(0, (g["mem_available"] - usable) - (avg("avail") - avg("usable")))
            thr = K["drop_own"]
        else:
            # less the law's own step of last cycle: libvirt shows the
            # balloon's new size up to a second after the guest's statistics
            # show the inflation.  The step applied (the balloon size when it
            # was asked less the target momd applied, after its rails) when
            # momd gives balloon_target, never more than the step asked; the
            # step asked otherwise.
            mask = s.get("step", 0)
            if "balloon_target" in g and "step_from" in s:
                mask = min(mask, max(0, s["step_from"] - g["balloon_target"]))
            drop = max(0, (cur - usable) - (avg("cur") - avg("usable")) - mask)
            thr = K["drop"]
        # oom_kill counts since the guest's boot: only a kill after the
        # count seen last is stress (a first sight sets the count); a
        # sample without it (the agent late) keeps the count seen.
        oom = g.get("oom_kill", s.get("oom_seen", 0))
        oom_new = max(0, oom - s.get("oom_seen", oom))
        stressed = (g.get("swap_in", 0) > K["swapin"]
                    or g.get("major_fault", 0) > K["majflt"]
                    or usable < margin or drop > thr or oom_new > 0)
        if stressed:
            st["guests"][name] = {"cooldown": K["cooldown"], "quiet": 0,
                                  "peak_used": peak, "oom_seen": oom, "step": 0}
            give = min(mx, max(cur + K["grow_frac"] * mx,
                               peak + 2 * margin + 2 * drop, fl))
            if give > cur:
                out[name] = math.trunc(give)
            continue
        st["guests"][name] = {"cooldown": max(0, cool - 1), "quiet": quiet + 1,
                              "peak_used": peak, "oom_seen": oom, "step": 0}
        if cur < fl:
            out[name] = math.trunc(fl)
            continue
        if cool > 0 or not enabled or quiet + 1 < K["quiet_cycles"]:
            continue
        calm = min(K["calm_max"], max(K["min_step"], K["calm_frac"] * (cur - fl)))
        if tier == 0:
            t = max(fl, cur - calm)
        else:
            take = deficit * weight(g, s) / wsum if wsum > 0 else 0
            t = max(fl, cur - min(K["pressure_max"], max(calm, take)))
        if cur - t > K["deadband"]:
            out[name] = math.trunc(t)
            st["guests"][name].update(step=cur - t, step_from=cur)
    return tier, out, st

def ksm(tier):
    if tier == 0:
        return {"ksm_run": 0}
    return {"ksm_run": 1, "ksm_pages_to_scan": 1024 if tier >= 2 else 256,
            "ksm_sleep_millisecs": 20}

def guest(name, cur=GiB, mx=GiB, avail=1000000, usable=900000, **kw):
    g = dict(name=name, balloon_cur=cur, balloon_max=mx, balloon_min=0,
             mem_available=avail, mem_usable=usable, stats_age=1)
    g.update(kw)
    return g

QUIET = {"cooldown": 0, "quiet": 25}
CALM = {"mem_available": 8000000, "mem_usable": 4000000}

CASES = {
    "A01-first-cycle-waits": ("a guest just seen is not reclaimed before it was quiet for 10 cycles",
                              CALM, [guest("g")], {}),
    "A02-calm-reclaim": ("host calm, guest quiet: 25 % of the reclaimable, at most 128 MiB",
                         CALM, [guest("g")], {"guests": {"g": QUIET}}),
    "A03-stress-swap-in": ("swap-in above 64 KiB/s: give back at once (10 % of max or to usable 2 margins), cool-down 12",
                           CALM, [guest("g", cur=600000, usable=300000, swap_in=500)], {"guests": {"g": QUIET}}),
    "A16-stress-fast-drop": ("the guest's use (size - usable) rose by 200 000 KiB (100 000 above its mean): the give-back adds twice that rise",
                             CALM, [guest("g", cur=500000, avail=480000, usable=40000, avg_usable=140000)],
                             {"guests": {"g": QUIET}}),
    "A04-stress-usable-low": ("usable below the margin: give back to used + 2 margins",
                              CALM, [guest("g", cur=500000, avail=480000, usable=30000)], {"guests": {"g": QUIET}}),
    "A05-stress-major-faults": ("major faults above 50/s: give back even under host pressure",
                                {"mem_available": 8000000, "mem_usable": 500000},
                                [guest("g", cur=700000, usable=400000, major_fault=400)], {"guests": {"g": QUIET}}),
    "A06-cooldown": ("not stressed but cooling down: no reclaim, the cool-down counts down",
                     CALM, [guest("g")], {"guests": {"g": {"cooldown": 5, "quiet": 25}}}),
    "A17-peak-floor": ("the floor remembers the guest's peak use (decaying 2 % a cycle), so a bursty guest keeps room for its next burst",
                       CALM, [guest("g")], {"guests": {"g": dict(QUIET, peak_used=500000)}}),
    "A18-quiet-9": ("9 quiet cycles: not yet reclaimed", CALM, [guest("g")],
                     {"guests": {"g": {"cooldown": 0, "quiet": 8}}}),
    "A19-small-drop": ("use 20 000 KiB above its mean (under the 32 MiB rise threshold): not stress, reclaim goes on",
                       CALM, [guest("g", usable=880000, avg_usable=900000)], {"guests": {"g": QUIET}}),
    "A20-own-stats-rise": ("no autodeflate: the rise is read from the guest's own statistics (MemTotal - MemAvailable), "
                           "where 20 000 KiB above its mean is over the 16 MiB threshold: stress, give back",
                           CALM, [guest("g", cur=800000, avail=780000, usable=680000, avg_usable=700000,
                                        balloon_autodeflate=0)],
                           {"guests": {"g": QUIET}}),
    "A21-own-stats-deflate": ("no autodeflate: the balloon just grew by 100 000 KiB (live size) while the statistics "
                              "are from before: size - usable jumps, the guest's own use does not: no stress, reclaim goes on",
                              CALM, [guest("g", cur=600000, avail=480000, usable=300000, avg_cur=550000,
                                           balloon_autodeflate=0)], {"guests": {"g": QUIET}}),
    "A22-size-deflate-is-rise": ("the same as A21 with autodeflate (MemTotal does not follow the balloon): "
                                 "size - usable is the only measure, and its jump is taken as a rise",
                                 CALM, [guest("g", cur=600000, avail=480000, usable=300000, avg_cur=550000,
                                              balloon_autodeflate=1)], {"guests": {"g": QUIET}}),
    "A23-oom-count-old": ("the guest's OOM-kill count is 2, as last cycle (kills of long ago): not stress, reclaim goes on",
                          CALM, [guest("g", oom_kill=2)], {"guests": {"g": dict(QUIET, oom_seen=2)}}),
    "A24-oom-kill-new": ("the OOM-kill count rose from 2 to 3 since last cycle: stress, give back at once",
                         CALM, [guest("g", cur=800000, oom_kill=3)], {"guests": {"g": dict(QUIET, oom_seen=2)}}),
    "A31-oom-count-absent": ("the agent is late: no oom_kill in the sample; the count seen (2) is kept, so its return "
                             "unchanged is no new kill (it was read as 2 new kills: a give-back and a cool-down)",
                             CALM, [guest("g")], {"guests": {"g": dict(QUIET, oom_seen=2)}}),
    "A25-autodeflate-oom-deflate": ("autodeflate on: the guest's kernel took 100 000 KiB back from its balloon under "
                                    "memory pressure (deflate-on-oom; the balloon size rose above its mean, usable not back "
                                    "yet): a rise of use, so stress: given back above the size the guest reached, not "
                                    "re-inflated to the old target",
                                    CALM, [guest("g", cur=400000, avail=480000, usable=100000, avg_cur=300000,
                                                 balloon_autodeflate=1)], {"guests": {"g": QUIET}}),
    "A26-autodeflate-own-step": ("autodeflate on, the law shrank the balloon by 50 000 KiB last cycle (state step): the "
                                 "guest's statistics already show it (usable 50 000 lower), libvirt's balloon size not "
                                 "yet: size - usable rose by the law's own step, not stress, reclaim goes on",
                                 CALM, [guest("g", cur=1000000, avail=1000000, usable=850000, avg_usable=900000,
                                              balloon_autodeflate=1)],
                                 {"guests": {"g": dict(QUIET, step=50000)}}),
    "A27-stale-forgets-step": ("the law shrank the balloon by 50 000 KiB last cycle (state step), and this cycle's "
                               "statistics are stale: no decision, and the step is forgotten, so that it cannot mask "
                               "a real rise of use in the next cycle with fresh statistics",
                               CALM, [guest("g", stats_age=100)], {"guests": {"g": dict(QUIET, step=50000)}}),
    "A28-rail-cut-step": ("autodeflate on, the law asked a 64 MiB step last cycle from a balloon of 1 000 000 KiB "
                          "(state step, step_from), the shrink rail applied 51 MiB (balloon_target 947 776): the "
                          "statistics show the 51 MiB inflation and a real 40 MiB rise of use (size - usable 93 184 "
                          "above its mean), libvirt's balloon size not yet: less the step applied, 40 MiB is over "
                          "the 32 MiB threshold: stress, give back (less the 64 MiB asked it looked quiet)",
                          CALM, [guest("g", cur=1000000, avail=1000000, usable=800000, avg_usable=893184,
                                       balloon_autodeflate=1, balloon_target=1000000 - 52224)],
                          {"guests": {"g": dict(QUIET, step=65536, step_from=1000000)}}),
    "A29-refused-step": ("autodeflate on, the law asked a 64 MiB step last cycle, the OOM rail refused it: momd's "
                         "balloon_target is still the balloon size it was asked from, so no step was applied and "
                         "none is taken off the rise: a 40 MiB rise of use is stress (less the 64 MiB asked it "
                         "looked quiet)",
                         CALM, [guest("g", cur=1000000, avail=1000000, usable=850000, avg_usable=890960,
                                      balloon_autodeflate=1, balloon_target=1000000)],
                         {"guests": {"g": dict(QUIET, step=65536, step_from=1000000)}}),
    "A30-applied-step-masks": ("A26 with momd's balloon_target: the 50 000 KiB step was applied in full "
                               "(balloon_target = step_from - 50 000), so the whole step is the law's own: "
                               "not stress, reclaim goes on",
                               CALM, [guest("g", cur=1000000, avail=1000000, usable=850000, avg_usable=900000,
                                            balloon_autodeflate=1, balloon_target=950000)],
                               {"guests": {"g": dict(QUIET, step=50000, step_from=1000000)}}),
    "A07-raise-to-floor": ("the balloon is below the floor (the remembered peak use 500 000 KiB, decayed, + margin), "
                           "the guest not stressed: raised to the floor",
                           CALM, [guest("g", cur=400000, avail=390000, usable=300000)],
                           {"guests": {"g": dict(QUIET, peak_used=500000)}}),
    "A08-pressure-shares": ("host tier 1: the deficit divided by shares with the idle tax",
                            {"mem_available": 8000000, "mem_usable": 1400000},
                            [guest("a", cur=2 * GiB, mx=2 * GiB, avail=2000000, usable=1500000),
                             guest("b", cur=2 * GiB, mx=2 * GiB, avail=2000000, usable=1500000, shares=3000),
                             guest("c", cur=2 * GiB, mx=2 * GiB, avail=2000000, usable=400000)],
                            {"guests": {"a": QUIET, "b": QUIET, "c": QUIET}}),
    "A09-hysteresis-stays": ("host free 22 %: tier 1 stays tier 1 (leaves above 25 %)",
                             {"mem_available": 8000000, "mem_usable": 1760000},
                             [guest("g")], {"host": {"tier": 1}, "guests": {"g": QUIET}}),
    "A10-hysteresis-calm": ("host free 22 % from calm: stays calm (enters below 20 %)",
                            {"mem_available": 8000000, "mem_usable": 1760000},
                            [guest("g")], {"host": {"tier": 0}, "guests": {"g": QUIET}}),
    "A11-tier2": ("host free 8 %: tier 2, KSM faster",
                  {"mem_available": 8000000, "mem_usable": 640000},
                  [guest("g")], {"guests": {"g": QUIET}}),
    "A12-stale-stats": ("statistics 100 s old: no decision, state kept",
                        CALM, [guest("g", stats_age=100)], {"guests": {"g": QUIET}}),
    "A13-guaranteed-minimum": ("the floor is at least balloon_min",
                               CALM, [dict(guest("g"), balloon_min=1000000)], {"guests": {"g": QUIET}}),
    "A14-host-psi": ("host PSI some above 5 %: tier 1 although memory looks calm",
                     dict(CALM, psi_some_avg10=12.0), [guest("g")], {"guests": {"g": QUIET}}),
    "A15-floor-reached": ("at the floor: nothing to reclaim (within the deadband)",
                          CALM, [guest("g", cur=262144 + 2000)], {"guests": {"g": QUIET}}),
}

def main():
    base = "tests/data/eval-adaptive"
    for name, (desc, h, guests, state) in CASES.items():
        os.makedirs(f"{base}/{name}", exist_ok=True)
        avgs = {"avg_usable": "mem_usable", "avg_avail": "mem_available", "avg_cur": "balloon_cur"}
        def hist(g):
            last = {k: v for k, v in g.items() if k != "name" and k not in avgs}
            if not any(a in g for a in avgs):
                return [last]
            # two samples whose means are the avg_ values
            # (balloon_target is momd's, in the newest sample only)
            first = dict(last, **{f: 2 * g[a] - g[f] for a, f in avgs.items() if a in g})
            first.pop("balloon_target", None)
            return [first, last]
        case = {"description": desc, "host": {"history": [h]},
                "guests": [{"name": g["name"], "history": hist(g)}
                           for g in guests]}
        if state:
            case["state"] = state
        tier, out, st = decide(h, guests, state)
        exp = {"host": ksm(tier),
               "guests": {n: {"balloon_target": t} for n, t in out.items()},
               "state": st}
        # State prints whole numbers as integers (evstate.c).
        for e in [exp["state"]["host"]] + list(exp["state"]["guests"].values()):
            for k, v in e.items():
                if v == int(v):
                    e[k] = int(v)
        for fn, obj in (("case.json", case), ("expected.json", exp)):
            with open(f"{base}/{name}/{fn}", "w") as f:
                json.dump(obj, f, indent=1, sort_keys=True)
                f.write("\n")

main()
