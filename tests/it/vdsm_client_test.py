# SPDX-License-Identifier: Apache-2.0
#
# vdsm_client_test.py PHASE SOCKET TMPDIR: contrib/vdsm/momIF.py (the
# drop-in for vdsm's vdsm/momIF.py) driven as vdsm drives it, against a real
# momd (tests/it/vdsm_client.sh starts and stops it).
#   PHASE live:    momd runs: the call sequence of clientIF, host/api.py and
#                  API.py; types the engine parses; parameters in the next
#                  plan; MOM text through setPolicy; the 2 s timeout.
#   PHASE stopped: momd is stopped (and a socket that never existed): no
#                  exception, 'inactive' and {}, the 5 s fail-fast and the
#                  throttled warning.
# Prints "PASS desc" / "FAIL desc" / "SKIP desc # why".
import logging
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../contrib/vdsm"))
sys.path.insert(0, os.path.dirname(__file__))
import momIF  # noqa: E402
from vdsm_lib import (BAD_MOM_POLICY, G1, MOM_POLICY,  # noqa: E402
                      PRESSURE_HOST, g1_target, has_converter, next_plan,
                      out, parameters_unwritable, policy_names, post, rest,
                      run, skip, wait)

PHASE, SOCK, TMP = sys.argv[1], sys.argv[2], sys.argv[3]
PAGE = os.sysconf("SC_PAGE_SIZE")


class Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


LOG = Records()
logging.getLogger("MOM").addHandler(LOG)
logging.getLogger("MOM").setLevel(logging.INFO)


def warnings():
    return [r for r in LOG.records if r.levelno == logging.WARNING]


def vdsm_client(path):
    """What clientIF does at start-up."""
    c = momIF.MomClient(path)
    c.connect()
    return c


def wait_ksm(c, want, secs=10):
    end = time.monotonic() + secs
    got = None
    while time.monotonic() < end:
        got = c.getKsmStats()
        if got == want:
            break
        time.sleep(0.1)
    return got


# -- live ------------------------------------------------------------------

def test_sequence():
    """clientIF: construct + connect; host/api.py: getStatus, getKsmStats;
    API.py: setPolicyParameters with booleans, setPolicy with MOM text."""
    c = vdsm_client(SOCK)
    out(c.getStatus() == "active", "getStatus() is 'active'")
    out(c.getKsmStats() == {}, "getKsmStats() before momd has a host sample: {}")
    # vdsm's own test vector, ksmd at 15.7 %: MOM truncated to 15.
    post(SOCK, {"gauge-ksm_run": 0, "gauge-ksm_merge_across_nodes": 1,
                "vmpage_number-ksm_pages_to_scan": 5,
                "vmpage_number-ksm_sharing": 100, "percent-ksmd_cpu": 15.7})
    want = {"ksmState": False, "ksmMergeAcrossNodes": True, "ksmPages": 5,
            "ksmCpu": 15, "memShared": 0}
    got = wait_ksm(c, want)
    out(got == want, f"vdsm's vector {{run 0, merge 1, pts 5, sharing 100, cpu 15.7}} -> {got}")
    types = {k: type(v).__name__ for k, v in (got or {}).items()}
    out(types == {"ksmState": "bool", "ksmMergeAcrossNodes": "bool",
                  "ksmPages": "int", "ksmCpu": "int", "memShared": "int"},
        f"types are those the engine parses (ksmCpu an int): {types}")
    sharing = 300 * 1048576 // PAGE + 7
    post(SOCK, {"gauge-ksm_run": 2, "gauge-ksm_merge_across_nodes": 0,
                "vmpage_number-ksm_pages_to_scan": 1250,
                "vmpage_number-ksm_sharing": sharing, "percent-ksmd_cpu": 2})
    want = {"ksmState": True, "ksmMergeAcrossNodes": False, "ksmPages": 1250,
            "ksmCpu": 2, "memShared": 300}
    got = wait_ksm(c, want)
    out(got == want, f"run 2 (unmerging) is ksmState True; memShared in MiB: {got}")

    # Parameters: what the engine sends, then a partial update.
    r = c.setPolicyParameters({"balloonEnabled": False, "ksmEnabled": True,
                               "ksmMergeAcrossNodes": True})
    out(r is None, "setPolicyParameters(three booleans) returns None, as vdsm's")
    t_off = g1_target(next_plan(SOCK))
    out(t_off is None, f"balloonEnabled False: the next plan does not shrink g1 ({t_off})")
    c.setPolicyParameters({"balloonEnabled": True})
    t_on = g1_target(next_plan(SOCK))
    out(t_on is not None and t_on < 4194304,
        f"balloonEnabled True: the next plan shrinks g1 ({t_on} KiB)")
    p = rest(SOCK, "GET", "/v1/parameters")[1]
    out([p["balloonEnabled"], p["ksmEnabled"], p["ksmMergeAcrossNodes"]] == [1, 1, 1],
        f"the booleans arrive as 1/0 and the partial update kept the others: {p}")
    rest(SOCK, "PATCH", "/v1/parameters", {"ksmEnabled": False})
    c.setPolicyParameters({"ksmMergeAcrossNodes": False})
    p = rest(SOCK, "GET", "/v1/parameters")[1]
    out([p["balloonEnabled"], p["ksmEnabled"], p["ksmMergeAcrossNodes"]] == [1, 0, 0],
        "only the keys of the call are sent: momd keeps the others, and "
        f"another client's later change stays: {p}")
    before = rest(SOCK, "GET", "/v1/parameters")[1]
    try:
        c.setPolicyParameters({"noSuchParameter": True})
        out(False, "a parameter momd refuses raises MomError")
    except momIF.MomError as e:
        out(e.status == 400, f"a parameter momd refuses raises MomError ({e.code}); "
            "vdsm's API.py turns it into momErr")
    out(rest(SOCK, "GET", "/v1/parameters")[1] == before, "... and changes nothing")
    c.setPolicyParameters({"ksmEnabled": True})
    out(rest(SOCK, "GET", "/v1/parameters")[1]["ksmEnabled"] == 1,
        "a refused key is not kept: the next call works")

    # setPolicy with MOM's language.
    if not has_converter(SOCK):
        skip("setPolicy(MOM text)", "momd has no MOM-language converter yet (branch w16conv)")
        return
    names = policy_names(SOCK)
    try:
        c.setPolicy(BAD_MOM_POLICY)
        out(False, "setPolicy(bad MOM text) raises MomError")
    except momIF.MomError as e:
        out(e.status == 400, f"setPolicy(bad MOM text) raises MomError ({e.code})")
    out(policy_names(SOCK) == names, "... and the policies in force stay")
    out(c.setPolicy(MOM_POLICY) is None, "setPolicy(MOM text) is accepted")
    out(len(policy_names(SOCK)) == 1, f"... and replaces the whole set: {policy_names(SOCK)}")
    t = g1_target(next_plan(SOCK))
    out(t == int(4194304 * 0.95), f"the next plan is the MOM policy's: g1 -> {t}")
    rest(SOCK, "DELETE", "/v1/policies")


class StandInVm:
    """What the drop-in uses of vdsm's Vm (lib/vdsm/virt/vm.py): name,
    lastStatus, isMigrating(), getStats()['balloonInfo']['balloon_cur'],
    get_balloon_info() and setBalloonTarget().  vdsm itself cannot run
    here; this records the calls vdsm would receive.  cur is the balloon
    size libvirt reports; a gate (threading.Event) holds setBalloonTarget
    until it is set, as libvirt waiting for a domain's job would."""

    def __init__(self, name, target, enabled=True, cur=None, status="Up",
                 migrating=False, gate=None):
        self.name, self.target, self.enabled = name, target, enabled
        self.cur = target if cur is None else cur
        self.lastStatus, self.migrating, self.gate = status, migrating, gate
        self.calls = []

    def isMigrating(self):
        return self.migrating

    def getStats(self):
        return {"status": self.lastStatus,
                "balloonInfo": {"balloon_cur": str(self.cur),
                                "balloon_target": str(self.target)}}

    def get_balloon_info(self):
        return {"enabled": self.enabled, "target": self.target, "minimum": 0}

    def setBalloonTarget(self, target):
        if self.gate is not None:
            self.gate.wait(60)
        self.calls.append(target)
        self.target = target


def poll(c):
    """vdsm's Host.getStats poll, then wait for the sync it started."""
    st = c.getStatus()
    if hasattr(c, "_sync_join"):
        c._sync_join(10)
    return st


def test_balloon_sync():
    """After momd applies a balloon target (libvirt's test driver domain
    'test'), the next poll makes vdsm record that target, only where it
    changes no balloon."""
    rest(SOCK, "PATCH", "/v1/parameters", {"balloonEnabled": True})

    def applied():
        post(SOCK, PRESSURE_HOST, {"test": G1})
        a = rest(SOCK, "GET", "/v1/plan")[1]["applied"].get("test", {})
        return a.get("target", -1) if a.get("target", -1) > 0 else None
    target = wait(applied)
    out(target is not None and target < 4194304,
        f"momd applied a balloon target to domain 'test' ({target})")
    if target is None:
        return
    vm = StandInVm("test", 4194304, cur=target)
    off = StandInVm("test", 4194304, enabled=False, cur=target)
    other = StandInVm("not-managed", 4194304)
    vms = [vm, other]
    c = momIF.MomClient(SOCK, vdsm_vms=lambda: vms)
    c.connect()
    out(poll(c) == "active" and vm.calls[-1:] == [target],
        f"the next poll calls vdsm's vm.setBalloonTarget({target}): {vm.calls}")
    out(other.calls == [], "a VM momd did not balloon is left alone")
    n = len(vm.calls)
    poll(c)
    out(len(vm.calls) == n, "vdsm already reports it: no second call")
    vms[:] = [off]
    poll(c)
    out(off.calls == [], "a VM with ballooning disabled in vdsm is left alone")

    # Each VM below differs in one thing from a control VM polled beside
    # it, which must be synced: the skip is that thing's doing.
    def beside_control(v):
        control = StandInVm("test", 4194304, cur=target)
        vms[:] = [v, control]
        poll(c)
        return control.calls == [target]

    # Only Up VMs that are not migrating, as MOM: setBalloonTarget is a
    # libvirt write that waits for (and fails beside) a migration's job.
    for desc, v in (("paused", StandInVm("test", 4194304, cur=target, status="Paused")),
                    ("migrating out", StandInVm("test", 4194304, cur=target,
                                                status="Migration Source", migrating=True)),
                    ("Up but migrating", StandInVm("test", 4194304, cur=target, migrating=True)),
                    ("starting", StandInVm("test", 4194304, cur=target, status="WaitForLaunch"))):
        ctl = beside_control(v)
        out(v.calls == [] and ctl, f"a VM {desc} is left alone: {v.calls} (an Up one beside it synced: {ctl})")
    # Only record, never change: a VM restarted under the same name (full
    # size, vdsm's full target) keeps its size.
    restarted = StandInVm("test", 4194304)
    ctl = beside_control(restarted)
    out(restarted.calls == [] and ctl,
        f"a VM whose balloon is not at momd's target (restarted, full size) is left alone: {restarted.calls} (control synced: {ctl})")
    # momd in dry run acts on nothing: neither does the sync.
    rest(SOCK, "PUT", "/v1/dry-run", {"enabled": True})
    dry = StandInVm("test", 4194304, cur=target)
    vms[:] = [dry]
    poll(c)
    rest(SOCK, "PUT", "/v1/dry-run", {"enabled": False})
    after = StandInVm("test", 4194304, cur=target)
    vms[:] = [after]
    poll(c)
    out(dry.calls == [] and after.calls == [target],
        f"momd in dry run: no setBalloonTarget ({dry.calls}); dry run off: synced ({after.calls})")

    # The poll never waits for vdsm or libvirt: with the sync held in
    # setBalloonTarget (libvirt waiting for a snapshot's job), two polls
    # return, and the second starts no second sync.  The polls run in a
    # thread only so that a poll that waited would fail the check (after
    # 30 s) instead of hanging the test.
    gate = threading.Event()
    slow = [StandInVm("test", 4194304, cur=target, gate=gate) for _ in range(3)]
    vms[:] = slow
    polls = []
    t = threading.Thread(target=lambda: polls.append((c.getStatus(), c.getStatus())))
    t.start()
    t.join(30)
    held = [v.calls for v in slow]
    gate.set()
    out(polls == [("active", "active")] and held == [[], [], []],
        f"two polls return while the sync waits in setBalloonTarget ({polls}, calls made {held})")
    if hasattr(c, "_sync_join"):
        c._sync_join(30)
    out([len(v.calls) for v in slow] == [1, 1, 1], f"one sync at a time: each VM set once ({[v.calls for v in slow]})")

    # momd applies another target while the sync works through the VMs
    # before this one: the plan, asked again before the call, says so,
    # and the older target is not written over the newer one.
    real_call = c._mom.call
    plans = []

    def newer_after_first(method, path, *a, **k):
        r = real_call(method, path, *a, **k)
        if method == "GET" and path == "/v1/plan":
            plans.append(path)
            if len(plans) > 1:
                r = dict(r, applied={"test": {"target": target - 40960, "following": True}})
        return r
    c._mom.call = newer_after_first
    raced = StandInVm("test", 4194304, cur=target)
    vms[:] = [raced]
    poll(c)
    c._mom.call = real_call
    out(raced.calls == [] and len(plans) >= 2,
        f"a target momd changed meanwhile is not undone: {raced.calls} (plan read {len(plans)} times)")

    # A balloon momd reports as not following (stuck short of its target:
    # the samples keep saying 4 GiB) is not pushed again.
    def stuck():
        post(SOCK, PRESSURE_HOST, {"test": G1})
        return rest(SOCK, "GET", "/v1/plan")[1]["applied"].get("test", {}).get("following") is False
    if wait(stuck, 20):
        v = StandInVm("test", 4194304, cur=target)
        vms[:] = [v]
        poll(c)
        out(v.calls == [], f"a balloon momd reports as not following is left alone: {v.calls}")
    else:
        out(False, "momd reports the test domain's balloon as not following")

    def broken():
        raise RuntimeError("vdsm is shutting down")
    bad = momIF.MomClient(SOCK, vdsm_vms=broken)
    bad.connect()
    out(poll(bad) == "active", "a failing vdsm lookup costs the sync, never the poll")
    plain = momIF.MomClient(SOCK)
    plain.connect()
    out(plain.syncBalloonTargets() == [], "outside vdsm there is nothing to sync")


def test_timeout():
    path = os.path.join(TMP, "hung.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(4)  # accepts (backlog), never answers
    c = vdsm_client(path)
    t0 = time.monotonic()
    st = c.getStatus()
    dt = time.monotonic() - t0
    out(st == "inactive" and 1.8 <= dt < 3.5,
        f"a hung momd: 'inactive' after the 2 s timeout ({dt:.2f} s)")
    t0 = time.monotonic()
    out(c.getKsmStats() == {} and time.monotonic() - t0 < 0.1,
        "then getKsmStats() fails fast with {}")
    s.close()


def test_backoff_clock():
    """The 5 s window with a controlled clock: a socket that appears during
    the back-off is not tried until 5 s have passed."""
    now = [1000.0]
    path = os.path.join(TMP, "later.sock")
    c = momIF.MomClient(path, clock=lambda: now[0])
    c.connect()
    out(c.getStatus() == "inactive", "no socket: 'inactive'")
    os.symlink(SOCK, path)  # momd is reachable from now on
    out(c.getStatus() == "inactive", "momd reachable, but within 5 s of a failure: still 'inactive'")
    now[0] += 4.9
    out(c.getStatus() == "inactive", "... also at 4.9 s")
    now[0] += 0.2
    out(c.getStatus() == "active", "after 5 s the client tries again: 'active'")
    os.unlink(path)


def test_parameter_undeclared():
    """A key momd stops declaring (the policy declaring it deleted, the set
    replaced) must not make every later call fail."""
    c = vdsm_client(SOCK)
    st, body = rest(SOCK, "PUT", "/v1/policies/zz-extra",
                    {"description": "declares extraKey",
                     "parameters": {"extraKey": {"default": 0}}})
    if st not in (200, 201):
        out(False, f"a policy declaring extraKey: {st} {body}")
        return
    c.setPolicyParameters({"extraKey": 1})
    out(rest(SOCK, "GET", "/v1/parameters")[1].get("extraKey") == 1, "extraKey set")
    rest(SOCK, "DELETE", "/v1/policies/zz-extra")
    try:
        c.setPolicyParameters({"balloonEnabled": True})
        out(rest(SOCK, "GET", "/v1/parameters")[1]["balloonEnabled"] == 1,
            "after extraKey's policy is gone, the next call works")
    except momIF.MomError as e:
        out(False, f"after extraKey's policy is gone, the next call raises {e}")


def test_parameters_concurrent():
    """Two calls at once (vdsm's API threads) must not undo each other: the
    first one's request is held at a gate until the second has come to the
    client's parameters lock; released, the first lands, then the second.
    The lock is watched through a wrapper that says when a thread asks for
    it: a condition, not a time."""
    c = vdsm_client(SOCK)
    c.setPolicyParameters({"balloonEnabled": False, "ksmEnabled": False})
    real = c._mom.call
    entered, release, second_waits = (threading.Event(), threading.Event(),
                                      threading.Event())

    def held_call(*a, **k):
        if not entered.is_set():
            entered.set()
            release.wait(30)
        return real(*a, **k)

    class WatchedLock:
        def __init__(self, lock):
            self.lock = lock

        def __enter__(self):
            if entered.is_set():
                second_waits.set()
            return self.lock.__enter__()

        def __exit__(self, *exc):
            return self.lock.__exit__(*exc)
    c._mom.call = held_call
    c._params_lock = WatchedLock(c._params_lock)
    ta = threading.Thread(target=c.setPolicyParameters, args=({"balloonEnabled": True},))
    tb = threading.Thread(target=c.setPolicyParameters, args=({"ksmEnabled": True},))
    ta.start()
    entered.wait(30)
    tb.start()
    waited = second_waits.wait(30)
    release.set()
    ta.join(30)
    tb.join(30)
    c._mom.call = real
    p = rest(SOCK, "GET", "/v1/parameters")[1]
    out(waited and [p["balloonEnabled"], p["ksmEnabled"]] == [1, 1],
        f"two concurrent setPolicyParameters both take effect (the second waited: {waited}): {p}")


def test_refused_5xx():
    """momd's own 5xx refusal (500 persist_failed: parameters.json cannot
    be replaced) is a refusal, not an unreachable momd: the setter raises
    (vdsm reports the failure) and no back-off makes getStatus lie."""
    with parameters_unwritable(os.path.join(TMP, "state")):
        c = vdsm_client(SOCK)
        before = rest(SOCK, "GET", "/v1/parameters")[1]
        try:
            r = c.setPolicyParameters({"balloonEnabled": not before["balloonEnabled"]})
            out(False, f"momd cannot persist: setPolicyParameters raises (returned {r!r})")
        except momIF.MomError as e:
            out(e.status == 500 and e.code == "persist_failed",
                f"momd cannot persist: setPolicyParameters raises MomError ({e.status} {e.code})")
        out(rest(SOCK, "GET", "/v1/parameters")[1] == before, "... and nothing changed")
        out(c.getStatus() == "active", "... and getStatus() stays 'active' (no back-off)")
        out(c._pending == {"balloonEnabled": not before["balloonEnabled"]},
            f"... and the key is kept for the next call ({c._pending})")
    c.setPolicyParameters({"ksmEnabled": not before["ksmEnabled"]})
    p = rest(SOCK, "GET", "/v1/parameters")[1]
    out([p["balloonEnabled"], p["ksmEnabled"]] ==
        [float(not before["balloonEnabled"]), float(not before["ksmEnabled"])],
        f"the next call delivers it with its own: {p}")
    c.setPolicyParameters({k: before[k] for k in ("balloonEnabled", "ksmEnabled")})


def test_refused_4xx_keeps_earlier():
    """A key momd refuses (400) loses no key given earlier while momd could
    not be reached: those are sent on their own."""
    c = vdsm_client(SOCK)
    before = rest(SOCK, "GET", "/v1/parameters")[1]
    c._pending = {"ksmEnabled": not before["ksmEnabled"]}  # from a time momd was down
    try:
        c.setPolicyParameters({"noSuchParameter": 1})
        out(False, "an unknown key raises MomError")
    except momIF.MomError as e:
        out(e.status == 400, f"an unknown key raises MomError ({e.status} {e.code})")
    p = rest(SOCK, "GET", "/v1/parameters")[1]
    out(p["ksmEnabled"] == float(not before["ksmEnabled"]) and c._pending == {},
        f"the earlier key is delivered on its own ({p['ksmEnabled']}, pending {c._pending})")
    c.setPolicyParameters({"ksmEnabled": before["ksmEnabled"]})


# -- stopped ---------------------------------------------------------------

def test_unreachable():
    for label, path in (("a stopped momd", SOCK),
                        ("a missing socket", os.path.join(TMP, "none.sock"))):
        c = momIF.MomClient(path)
        out(c._mom is None, f"{label}: constructing does no I/O")
        c.connect()
        n0 = len(warnings())
        try:
            st, ks = c.getStatus(), c.getKsmStats()
            r1 = c.setPolicyParameters({"balloonEnabled": True})
            r2 = c.setPolicy(MOM_POLICY)
            out((st, ks, r1, r2) == ("inactive", {}, None, None),
                f"{label}: no exception; 'inactive', {{}}, setters return None")
        except Exception as e:
            out(False, f"{label}: raised {type(e).__name__}: {e}")
        w = [r.getMessage() for r in warnings()[n0:]]
        out(len(w) == 4 and all("MOM not available" in m for m in w),
            f"{label}: each failure is one logged warning: {w}")
        out(c._pending == {"balloonEnabled": True},
            f"{label}: parameters given meanwhile are kept for the next call")
        t0 = time.monotonic()
        n0 = len(warnings())
        for _ in range(300):
            c.getStatus()
        dt = time.monotonic() - t0
        n = len(warnings()) - n0
        out(dt < 1.0, f"{label}: within 5 s of a failure calls fail fast (300 in {dt:.3f} s)")
        out(1 <= n <= 4, f"{label}: the polled warning is throttled (300 calls, {n} warnings)")


if PHASE == "live":
    run([test_sequence, test_balloon_sync, test_timeout, test_backoff_clock,
         test_parameter_undeclared, test_parameters_concurrent, test_refused_5xx,
         test_refused_4xx_keeps_earlier])
else:
    run([test_unreachable])
