#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# scenario.py: the measuring half of the scenario benchmark
# (tests/bench/scenario.sh drives guests, collectd and momd).
#
#   scenario.py sample ARGS   the simulated host and the sampler of one arm:
#       about once a second reads every guest's balloon statistics
#       (virsh domstats --balloon), writes the read plugin's meminfo
#       (host free = the phase's free memory + what the balloons hold back,
#       so reclaiming relieves the simulated host as it would a real one)
#       and appends one JSON line per sample.  Before the file --t0file
#       exists the host is calm and samples have t < 0; it stops at
#       t0 + duration.
#   scenario.py report ARGS   reads every arm's run directory, prints one
#       Markdown table of medians over trials, writes per-arm timeline data
#       and a gnuplot script, and draws $OUT/scenario-<arm>.png.
#
# Run directory of one arm and trial (written by scenario.sh):
#   samples.jsonl  t0  wl.json (guest -> [host ms the wl command was
#   acknowledged, workload, host ms it was sent]) actions.json (momd's
#   /v1/actions)  console-<guest>.log (the arm's slice of that guest's
#   console)
#
# The service's onset is the moment it maps its first ramp chunk: its
# "WL service ramp-start el=MS" line, el being ms since the workload
# started, placed on the host's clock from when the wl command was sent
# (the workload started after that, so the onset is never placed late and
# the delays measured from it are never flattered).  "seen" is the first
# sample (virsh domstats, once a second, what the policies get too) in
# which the service guest's memory in use (MemTotal - MemAvailable, both
# from its statistics) is SEEN_KIB above the last sample before the onset:
# what of the delay is the guest's statistics period and sampling, not the
# pipeline or the policy.
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

KIB = 1024
SEEN_KIB = 16 * KIB


def now_ms():
    return int(time.time() * 1000)


def domstats(uri, prefix):
    out = subprocess.run(["virsh", "-q", "-c", uri, "domstats", "--balloon", "--list-active"],
                         capture_output=True, text=True, timeout=20).stdout
    doms, cur = {}, None
    for line in out.splitlines():
        line = line.strip()
        m = re.match(r"Domain: '(.*)'", line)
        if m:
            name = m.group(1)
            cur = {} if name.startswith(prefix) else None
            if cur is not None:
                doms[name[len(prefix):]] = cur
        elif cur is not None and line.startswith("balloon.") and "=" in line:
            k, v = line[len("balloon."):].split("=", 1)
            try:
                cur[k] = int(v)
            except ValueError:
                pass
    return doms


def write_meminfo(root, total, free):
    path = os.path.join(root, "proc", "meminfo")
    with open(path + ".new", "w") as f:
        f.write("MemTotal:       %d kB\nMemFree:        %d kB\nMemAvailable:   %d kB\n"
                "Buffers:               0 kB\nCached:                0 kB\nSwapCached:            0 kB\n"
                "AnonPages:      %d kB\nSwapTotal:             0 kB\nSwapFree:              0 kB\n"
                % (total, free, free, total - free))
    os.replace(path + ".new", path)


def phase_of(t, a):
    if t < a.p0:
        return "calm"
    return "pressure" if t < a.p1 else "relieved"


def sample(a):
    t0 = None
    end = None
    with open(a.out, "a") as out:
        while True:
            tick = now_ms()
            if t0 is None and os.path.exists(a.t0file):
                with open(a.t0file) as f:
                    t0 = int(f.read().strip())
                end = t0 + a.duration * 1000
            t = (tick - t0) / 1000 if t0 is not None else -1.0
            ph = phase_of(t, a) if t >= 0 else "calm"
            try:
                doms = domstats(a.uri, a.prefix)
            except (subprocess.SubprocessError, OSError) as e:
                print("# sampler: %s" % e, file=sys.stderr)
                doms = {}
            given = sum(max(0, d.get("maximum", 0) - d.get("current", 0)) for d in doms.values())
            base = {"calm": a.calm_free, "pressure": a.pressure_free, "relieved": a.calm_free}[ph]
            free = min(a.total, base + given)
            write_meminfo(a.root, a.total, free)
            out.write(json.dumps({"ms": tick, "t": t, "phase": ph, "host_free": free,
                                  "guests": doms}) + "\n")
            out.flush()
            if end is not None and tick >= end:
                return 0
            time.sleep(max(0.05, 1.0 - (now_ms() - tick) / 1000))


# ---------------------------------------------------------------- report

def load_arm(d):
    with open(os.path.join(d, "t0")) as f:
        t0 = int(f.read().strip())
    samples = [json.loads(x) for x in open(os.path.join(d, "samples.jsonl")) if x.strip()]
    samples = [s for s in samples if s["ms"] >= t0]
    for s in samples:
        s["t"] = (s["ms"] - t0) / 1000
    try:
        actions = json.load(open(os.path.join(d, "actions.json")))
    except (OSError, ValueError):
        actions = []
    wl = json.load(open(os.path.join(d, "wl.json")))
    consoles = {}
    for g in wl:
        try:
            consoles[g] = open(os.path.join(d, "console-%s.log" % g), errors="replace").read()
        except OSError:
            consoles[g] = ""
    return {"t0": t0, "samples": samples, "actions": actions, "wl": wl, "consoles": consoles}


def balloon_actions(run, guest, prefix):
    subj = "guest:" + prefix + guest
    return [x for x in run["actions"] if x.get("control") == "balloon_target"
            and x.get("result") == "applied" and x.get("subject") in (subj, prefix + guest)
            and x["time_ms"] >= run["t0"]]


def oom_times(run, guest):
    """Host-relative seconds of the OOM kills on the guest's console (None
    when a kill cannot be placed: no workload line to map the clock)."""
    text = run["consoles"][guest]
    start_ms = run["wl"][guest][0]
    off = None
    for m in re.finditer(r"^WL \S+ el=(\d+) up=([\d.]+)", text, re.M):
        off = float(m.group(2)) - int(m.group(1)) / 1000  # guest uptime at wl start
        break
    res = []
    for m in re.finditer(r"\[\s*([\d.]+)\] Out of memory: Killed process", text):
        res.append(None if off is None or start_ms is None else
                   (start_ms - run["t0"]) / 1000 + float(m.group(1)) - off)
    return res


def wl_sent_ms(run, guest):
    """Host ms the guest's workload was asked to start (before it ran)."""
    w = run["wl"].get(guest) or [None]
    return w[2] if len(w) > 2 and w[2] else w[0]


def onset(run, guest, a):
    """Seconds since t0 of the service's onset (its first ramp chunk), or
    the scripted time after the workload's start when the console has no
    ramp-start line (a run from before the line existed)."""
    start = wl_sent_ms(run, guest)
    m = re.search(r"^WL \S+ ramp-start el=(\d+)", run["consoles"].get(guest, ""), re.M)
    if start is None:
        return a.ramp
    if m:
        return (start + int(m.group(1)) - run["t0"]) / 1000
    return (start - run["t0"]) / 1000 + a.ramp


def wl_lines(run, guest, duration):
    """The workload's progress lines up to the end of the scenario (t0 +
    duration): the console slice runs on until the workload is stopped, a
    few seconds later."""
    start_ms = run["wl"][guest][0]
    limit = run["t0"] + duration * 1000 - start_ms if start_ms else float("inf")
    return [m for m in re.finditer(r"^WL \S+ el=(\d+) up=[\d.]+ ops=(\d+)(?: held=\d+ refused=(\d+))?",
                                   run["consoles"][guest], re.M)
            if int(m.group(1)) <= limit]


def progress(run, guest, duration):
    """Ops done by the end of the scenario."""
    lines = wl_lines(run, guest, duration)
    return int(lines[-1].group(2)) if lines else 0


def refused(run, guest, duration):
    """Allocations the guest refused the workload (mmap ENOMEM) by the end
    of the scenario: the last refused= count, or, from a workload without
    that field, the console's failure lines."""
    lines = wl_lines(run, guest, duration)
    if lines and lines[-1].group(3) is not None:
        return int(lines[-1].group(3))
    return len(re.findall(r"^workload: mmap \d+ MiB failed", run["consoles"][guest], re.M))


def used_kib(d):
    """The guest's memory in use from one statistics snapshot: its MemTotal
    (balloon.available, which the balloon shrinks when the guest has no
    autodeflate, as here) - its MemAvailable.  Not balloon.current - usable:
    current is live while the statistics are up to a period old, so every
    balloon step would show as a false change for a second."""
    return d["available"] - d["usable"] if "available" in d and "usable" in d else None


def metrics(run, a, roles):
    s = run["samples"]
    out = {}
    if not s:
        return out
    guests = sorted(roles)
    rec, rss = [], []
    for x in s:
        g = x["guests"]
        rec.append(sum(max(0, g[n].get("maximum", 0) - g[n].get("current", 0)) for n in guests if n in g))
        rss.append(sum(g[n].get("rss", 0) for n in guests if n in g))
    out["reclaimed"] = statistics.mean(rec) / KIB
    out["rss"] = statistics.mean(rss) / KIB
    dur_min = max(1e-9, (s[-1]["ms"] - run["t0"]) / 60000)
    # idle guest: half of what it could give (its usable memory at t0)
    idle = roles.get("idle")
    first = s[0]["guests"].get(idle, {})
    reclaimable = first.get("usable")
    out["idle_half"] = None
    if reclaimable:
        for x in s:
            d = x["guests"].get(idle, {})
            if d and d.get("maximum", 0) - d.get("current", 0) >= reclaimable / 2:
                out["idle_half"] = x["t"]
                break
    # service guest: from the onset of its ramp (see the header)
    svc = roles.get("svc")
    on = onset(run, svc, a)
    out["onset"] = on
    before = [x for x in s if x["t"] < on and used_kib(x["guests"].get(svc, {})) is not None]
    base = used_kib(before[-1]["guests"][svc]) if before else None
    out["seen"] = None
    for x in s:
        u = used_kib(x["guests"].get(svc, {}))
        if x["t"] >= on and base is not None and u is not None and u - base >= SEEN_KIB:
            out["seen"] = x["t"] - on
            break
    out["deflate"], out["deflate_why"] = None, None
    for x in balloon_actions(run, svc, a.prefix):
        if (x["time_ms"] - run["t0"]) / 1000 >= on and x.get("new", 0) > x.get("old", 0):
            out["deflate"] = (x["time_ms"] - run["t0"]) / 1000 - on
            out["deflate_why"] = "%s -> %s KiB: %s" % (x.get("old"), x.get("new"), x.get("reason", ""))
            break
    margin = a.margin_mib * KIB
    after = [x for x in s if x["t"] >= on and svc in x["guests"]]
    low = [x for x in after if x["t"] <= on + 10 and x["guests"][svc].get("usable", margin) < margin]
    if not low:
        out["usable_back"] = 0.0
    else:
        back = [x for x in after if x["t"] > low[0]["t"] and x["guests"][svc].get("usable", 0) >= margin]
        out["usable_back"] = back[0]["t"] - on if back else float("inf")
    out["oom"] = sum(len(oom_times(run, g)) for g in guests)
    out["refused"] = sum(refused(run, g, a.duration) for g in guests)
    for k in ("major_fault", "swap_in"):
        first = s[0]["guests"]
        last = s[-1]["guests"]
        out[k] = sum(max(0, last[g].get(k, 0) - first[g].get(k, 0)) for g in guests if g in first and g in last)
    out["cmds"] = sum(len(balloon_actions(run, g, a.prefix)) for g in guests) / len(guests) / dur_min
    out["progress"] = {r: progress(run, g, a.duration) for r, g in roles.items() if r != "idle"}
    return out


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def fmt(v, spec="%.0f", none="–"):
    if v is None:
        return none
    if v == float("inf"):
        return "never"
    return spec % v


def timeline(run, arm, a, roles, outdir):
    """Data files and a gnuplot script for one arm; returns the PNG path."""
    guests = [roles[r] for r in ("idle", "cache", "svc", "batch") if r in roles]
    dat = os.path.join(outdir, "scenario-%s.dat" % arm)
    with open(dat, "w") as f:
        f.write("# t host_free_MiB " + " ".join("%s_actual %s_target %s_usable" % (g, g, g) for g in guests) + "\n")
        targets = {g: sorted((x["time_ms"], x["new"]) for x in balloon_actions(run, g, a.prefix)) for g in guests}
        for x in run["samples"]:
            row = ["%.2f" % x["t"], "%.1f" % (x["host_free"] / KIB)]
            for g in guests:
                d = x["guests"].get(g, {})
                tg = [v for ms, v in targets[g] if ms <= x["ms"]]
                tgt = tg[-1] if tg else d.get("maximum")
                row += ["%.1f" % (d["current"] / KIB) if "current" in d else "NaN",
                        "%.1f" % (tgt / KIB) if tgt else "NaN",
                        "%.1f" % (d["usable"] / KIB) if "usable" in d else "NaN"]
            f.write(" ".join(row) + "\n")
    ooms = os.path.join(outdir, "scenario-%s.oom" % arm)
    with open(ooms, "w") as f:
        for g in guests:
            for t in oom_times(run, g):
                if t is not None:
                    f.write("%.2f %s\n" % (t, g))
    ramp = onset(run, roles["svc"], a) if "svc" in roles else a.ramp
    png = os.path.join(outdir, "scenario-%s.png" % arm)
    gp = os.path.join(outdir, "scenario-%s.gp" % arm)
    colors = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a"]
    plots = []
    for i, g in enumerate(guests):
        c = colors[i % 4]
        col = 3 + 3 * i
        role = [r for r, n in roles.items() if n == g][0]
        plots.append("'%s' u 1:%d w l lw 2 lc rgb '%s' t '%s actual'" % (dat, col, c, role))
        plots.append("'' u 1:%d w steps dt 2 lc rgb '%s' t '%s target'" % (col + 1, c, role))
        plots.append("'' u 1:%d w l dt 3 lc rgb '%s' t '%s usable'" % (col + 2, c, role))
    has_oom = os.path.getsize(ooms) > 0
    with open(gp, "w") as f:
        f.write("""set terminal pngcairo size 1100,800 font ',10'
set output '%(png)s'
set multiplot layout 2,1 title '%(arm)s arm: scenario timeline (pressure %(p0)d-%(p1)d s, service ramp onset at %(ramp).1f s)'
set xrange [0:%(dur)d]
set grid
set arrow from %(p0)d, graph 0 to %(p0)d, graph 1 nohead lc rgb 'red' dt 2
set arrow from %(p1)d, graph 0 to %(p1)d, graph 1 nohead lc rgb 'dark-green' dt 2
set arrow from %(ramp).2f, graph 0 to %(ramp).2f, graph 1 nohead lc rgb 'purple' dt 4
set lmargin at screen 0.08
set rmargin at screen 0.80
set size 1,0.3
set origin 0,0.67
set ylabel 'host free (MiB)'
set key top right
plot '%(dat)s' u 1:2 w l lw 2 lc rgb 'black' t 'host free (simulated)'%(oom1)s
set size 1,0.62
set origin 0,0.0
set ylabel 'guest memory (MiB)'
set xlabel 's since t0 (red: pressure starts, green: relieved, purple: service ramp onset, X: OOM kill)'
set key outside right top
plot %(plots)s%(oom2)s
unset multiplot
""" % {"png": png, "arm": arm, "p0": a.p0, "p1": a.p1, "ramp": ramp, "dur": a.duration, "dat": dat,
       "plots": ", \\\n  ".join(plots),
       "oom1": (", '%s' u 1:(0) w p pt 2 ps 3 lc rgb 'red' t 'OOM kill'" % ooms) if has_oom else "",
       "oom2": (", '%s' u 1:(0) w p pt 2 ps 3 lc rgb 'red' t 'OOM kill'" % ooms) if has_oom else ""})
    r = subprocess.run(["gnuplot", gp], capture_output=True, text=True)
    if r.returncode:
        print("# gnuplot %s: %s" % (gp, r.stderr.strip()[:300]))
        return None
    return png


def report(a):
    roles = dict(x.split("=") for x in a.roles.split(","))
    arms = a.arms.split(",")
    res = {arm: [] for arm in arms}
    last = {}
    for trial in sorted(os.listdir(a.runs)):
        for arm in arms:
            d = os.path.join(a.runs, trial, arm)
            if not os.path.exists(os.path.join(d, "samples.jsonl")):
                continue
            run = load_arm(d)
            res[arm].append(metrics(run, a, roles))
            last[arm] = run
    # Progress is a ratio to the unmanaged arm; without it (SCENARIO_ARMS)
    # the ratios are left blank, not taken against another policy.
    ref = res.get("unmanaged", [])
    wl = [r for r in ("cache", "svc", "batch") if r in roles]
    print("| arm | trials | reclaimed: mean Σ(max − actual) (MiB) | mean Σ QEMU RSS (MiB, lower = more returned) | idle guest gives up half (s) "
          "| svc onset → seen in balloon stats (s) | svc onset → first deflate (s; per trial) | → usable ≥ %d MiB (s) "
          "| guest OOM kills (per trial) | refused allocations (per trial) | major faults | swap-in (KiB) "
          "| progress vs unmanaged: %s | balloon commands per guest per minute |" % (a.margin_mib, " / ".join(wl)))
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|")
    for arm in arms:
        ms = res[arm]
        if not ms:
            print("| %s | 0 | not run |||||||||||||" % arm)
            continue
        ratios = []
        for r in wl:
            vals = []
            for i, m in enumerate(ms):
                base = ref[i]["progress"].get(r) if i < len(ref) else None
                vals.append(m["progress"][r] / base if base else None)
            ratios.append(fmt(med(vals), "%.2f"))
        per = lambda k, spec="%d", none="–": ", ".join(fmt(m[k], spec, none) for m in ms)
        print("| %s | %d | %s | %s | %s | %s | %s (%s) | %s | %s (%s) | %s (%s) | %s | %s | %s | %s |" % (
            arm, len(ms), fmt(med([m["reclaimed"] for m in ms])), fmt(med([m["rss"] for m in ms])),
            fmt(med([m["idle_half"] for m in ms]), "%.1f", "never"),
            fmt(med([m["seen"] for m in ms]), "%.1f"),
            fmt(med([m["deflate"] for m in ms]), "%.1f", "none"), per("deflate", "%.1f", "none"),
            fmt(med([m["usable_back"] for m in ms]), "%.1f"),
            fmt(med([m["oom"] for m in ms])), per("oom"),
            fmt(med([m["refused"] for m in ms])), per("refused"),
            fmt(med([m["major_fault"] for m in ms])), fmt(med([m["swap_in"] for m in ms])),
            " / ".join(ratios), fmt(med([m["cmds"] for m in ms]), "%.1f")))
    # Where the first deflate's delay goes: the statistics (onset -> seen)
    # and the rest of the pipeline and the policy (seen -> deflate).
    for arm in arms:
        for i, m in enumerate(res[arm]):
            if m.get("deflate_why"):
                print("# %s trial %d: svc onset at %.1f s, seen %s s later, first deflate %s s after the onset (%s)" % (
                    arm, i + 1, m["onset"], fmt(m["seen"], "%.1f"), fmt(m["deflate"], "%.1f"), m["deflate_why"][:160]))
    os.makedirs(a.out, exist_ok=True)
    for arm in arms:
        if arm in last:
            png = timeline(last[arm], arm, a, roles, a.out)
            if png:
                print("# timeline of the last %s trial: %s" % (arm, png))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("sample", "report"):
        p = sub.add_parser(name)
        p.add_argument("--prefix", required=True)
        p.add_argument("--p0", type=int, required=True)
        p.add_argument("--p1", type=int, required=True)
        p.add_argument("--duration", type=int, required=True)
    s = sub.choices["sample"]
    s.add_argument("--uri", required=True)
    s.add_argument("--root", required=True)
    s.add_argument("--t0file", required=True)
    s.add_argument("--out", required=True)
    s.add_argument("--total", type=int, required=True)
    s.add_argument("--calm-free", type=int, required=True)
    s.add_argument("--pressure-free", type=int, required=True)
    r = sub.choices["report"]
    r.add_argument("--runs", required=True)
    r.add_argument("--arms", required=True)
    r.add_argument("--roles", required=True, help="idle=a,cache=b,svc=c,batch=d")
    r.add_argument("--ramp", type=int, required=True)
    r.add_argument("--margin-mib", type=int, default=64)
    r.add_argument("--out", required=True)
    a = ap.parse_args()
    return sample(a) if a.cmd == "sample" else report(a)


if __name__ == "__main__":
    sys.exit(main() or 0)
