# SPDX-License-Identifier: Apache-2.0
#
# vdsm_bridge_test.py BRIDGE_SOCKET MOMD_SOCKET KSM_DIR PHASE STATE_DIR: contrib/vdsm/
# mom-xmlrpc-bridge against a real momd (tests/it/vdsm_bridge.sh starts
# both), driven by Python's xmlrpc.client over the bridge's unix socket the
# way vdsm's UnixXmlRpcClient connects (allow_none):
#   - every MOM method, MOM's return shapes, <i8> for large integers, a bad
#     policy refused with the previous set kept;
#   - the call sequence of vdsm's stock momIF.py (ping, getStatistics()
#     ['host'] read with vdsm's key names, setNamedPolicy('01-parameters',
#     "(set k v)" lines), setPolicy(MOM text)), made here with plain
#     xmlrpc.client calls, nothing of vdsm re-implemented, with the same
#     checks as the drop-in's sequence in vdsm_client_test.py;
#   - two tuning-policy calls at once, the bridge's own classes served in
#     this process over an in-memory momd that holds one call's values.
# Prints "PASS desc" / "FAIL desc" / "SKIP desc # why".
import importlib.machinery
import importlib.util
import os
import socket
import subprocess
import sys
import threading
import time
import xmlrpc.client

sys.path.insert(0, os.path.dirname(__file__))
from vdsm_lib import (BAD_MOM_POLICY, G1, MOM_POLICY,  # noqa: E402
                      PRESSURE_HOST, _Unix, g1_target, has_converter,
                      next_plan, out, parameters_unwritable, policy_names,
                      post, rest, run, skip, stock_proxy, wait)

BRIDGE, SOCK, KSM, PHASE, STATE = sys.argv[1:6]
PAGE = os.sysconf("SC_PAGE_SIZE")
P = stock_proxy(BRIDGE)
CONV = PHASE == "live" and has_converter(SOCK)
NO_CONV = "momd has no MOM-language converter yet (branch w16conv)"


def ksm_file(name):
    with open(os.path.join(KSM, name)) as f:
        return int(f.read())


def test_before_first_sample():
    out(P.ping() is True, "ping() is True while momd answers")
    st = P.getStatistics()
    out(sorted(st) == ["guests", "host"] and st["guests"] == {},
        f"getStatistics() before any sample: {{host, guests}} ({st})")
    h = st["host"]
    want = {"ksm_run": ksm_file("run"), "ksm_pages_to_scan": ksm_file("pages_to_scan"),
            "ksm_merge_across_nodes": ksm_file("merge_across_nodes"),
            "ksm_pages_sharing": ksm_file("pages_sharing"), "ksmd_cpu_usage": 0}
    got = {k: h.get(k) for k in want}
    out(got == want, f"... with the five keys vdsm reads, from KSM's sysfs: {got}")
    out(P.getActiveGuests() == [], "getActiveGuests() is [] before any guest")


def test_statistics():
    big = 4398046511104  # 4 TiB of host memory: 4294967296 KiB > 2^31
    post(SOCK, dict(PRESSURE_HOST, **{"memory-total": big,
                                      "gauge-ksm_run": 1,
                                      "gauge-ksm_merge_across_nodes": 1,
                                      "vmpage_number-ksm_pages_to_scan": 5,
                                      "vmpage_number-ksm_sharing": 100,
                                      "percent-ksmd_cpu": 15.7}),
         {"g1": G1})
    st = wait(lambda: (lambda s: s if s["guests"] else None)(P.getStatistics()))
    st = st or P.getStatistics()
    h = st["host"]
    out(h.get("mem_available") == big // 1024,
        f"a host value over 2^31 arrives whole ({h.get('mem_available')})")
    types = {k: type(h.get(k)).__name__ for k in
             ("ksm_run", "ksm_pages_to_scan", "ksm_merge_across_nodes",
              "ksm_pages_sharing", "ksmd_cpu_usage", "mem_available")}
    out(set(types.values()) == {"int"}, f"statistics are integers, as MOM's: {types}")
    out(h.get("ksmd_cpu_usage") == 15, "ksmd_cpu_usage 15.7 % arrives truncated (15), as MOM sent it")
    g = st["guests"].get("g1", {})
    out(g.get("balloon_cur") == 4194304 and g.get("balloon_max") == 4194304,
        f"guests: {{name: sample}} with MOM's names: {g}")
    out(P.getActiveGuests() == ["g1"], "getActiveGuests() is ['g1']")
    # The wire format itself: <i8> for the large value, <int> for the small.
    body = xmlrpc.client.dumps((), "getStatistics").encode()
    c = _Unix(BRIDGE)
    c.request("POST", "/RPC2", body, {"Content-Type": "text/xml"})
    raw = c.getresponse().read().decode()
    c.close()
    out(f"<i8>{big // 1024}</i8>" in raw and "<int>5</int>" in raw,
        "on the wire: <i8> over 32 bits, <int> under")


def test_policies():
    names = policy_names(SOCK)
    named = P.getNamedPolicies()
    out(sorted(named) == names and all(isinstance(v, str) for v in named.values()),
        f"getNamedPolicies() is {{name: text}} of the set in force: {sorted(named)}")
    text = P.getPolicy()
    out(isinstance(text, str) and all(named[n] in text for n in names),
        "getPolicy() is the texts in name order, concatenated")
    # A bad policy: refused, the previous set kept (MOM's left none).
    before = rest(SOCK, "GET", "/v1/effective-policy")[1]
    out(P.setPolicy(BAD_MOM_POLICY) is False, "setPolicy(bad text) returns False")
    out(rest(SOCK, "GET", "/v1/effective-policy")[1] == before,
        "... and the previous set is kept" + ("" if CONV else " (refused as 415 without the converter)"))
    out(P.setNamedPolicy("02-bad", BAD_MOM_POLICY) is False
        and rest(SOCK, "GET", "/v1/effective-policy")[1] == before,
        "setNamedPolicy(name, bad text) returns False and changes nothing")
    # Only strings are policy texts and names: bytes (an XML-RPC base64)
    # were sent as their repr, "b'abc'", and momd took that as MOM text.
    for args in (("05-x", xmlrpc.client.Binary(b"abc")), (5, "(set a 1)"),
                 ("05-x", ["a"])):
        out(P.setNamedPolicy(*args) is False
            and rest(SOCK, "GET", "/v1/effective-policy")[1] == before,
            f"setNamedPolicy({', '.join(type(a).__name__ for a in args)}): False, nothing changes")
    # nil deletes (allow_none on both sides).
    out(P.setNamedPolicy("03-ksm", None) is True and "03-ksm" not in policy_names(SOCK),
        "setNamedPolicy('03-ksm', None) deletes it")
    out(P.setNamedPolicy("03-ksm", None) is True, "deleting a policy that is not there is True, as MOM")
    keep = policy_names(SOCK)
    out(P.setNamedPolicy("00-defines", None) is False and policy_names(SOCK) == keep,
        "deleting 00-defines while 02-balloon uses its names: False, nothing changes")
    for n in reversed(policy_names(SOCK)):
        out(P.setNamedPolicy(n, None) is True, f"setNamedPolicy({n!r}, None)")
    out(P.getNamedPolicies() == {} and P.getPolicy() == "0",
        "with no policies: getNamedPolicies() {} and getPolicy() '0', as MOM")
    out(P.resetPolicies() is True and policy_names(SOCK) == names,
        f"resetPolicies() brings back policy_dir: {policy_names(SOCK)}")
    if not CONV:
        skip("setPolicy/setNamedPolicy with MOM text", NO_CONV)
        return
    out(P.setNamedPolicy("10-mom", MOM_POLICY) is True and "10-mom" in policy_names(SOCK),
        "setNamedPolicy(name, MOM text) adds it")
    out(P.setPolicy(MOM_POLICY) is True and len(policy_names(SOCK)) == 1,
        f"setPolicy(MOM text) replaces the whole set: {policy_names(SOCK)}")
    P.resetPolicies()


def test_verbosity():
    def level():
        return rest(SOCK, "GET", "/v1/log-level")[1]["level"]
    out(P.setVerbosity("4") is True and level() == "debug", "setVerbosity('4'): debug")
    P.setVerbosity("error")
    out(level() == "error", "setVerbosity('error'): error")
    P.setVerbosity("no-such-level")
    out(level() == "debug", "an unknown level means debug, as MOM")
    P.setVerbosity("info")


def test_stock_sequence():
    """vdsm's stock momIF.py, call by call, against the bridge: the same
    outcomes the drop-in gives in vdsm_client_test.py."""
    out(P.ping(), "stock: ping() truthy -> 'active'")
    post(SOCK, {"gauge-ksm_run": 0, "gauge-ksm_merge_across_nodes": 1,
                "vmpage_number-ksm_pages_to_scan": 5,
                "vmpage_number-ksm_sharing": 100, "percent-ksmd_cpu": 15.7})
    wait(lambda: P.getStatistics()["host"]["ksm_run"] == 0)
    stats = P.getStatistics()["host"]
    # What vdsm's getKsmStats reads: exactly these keys, used as they come.
    got = {"ksmState": bool(stats["ksm_run"]),
           "ksmPages": stats["ksm_pages_to_scan"],
           "ksmMergeAcrossNodes": bool(stats["ksm_merge_across_nodes"]),
           "memShared": stats["ksm_pages_sharing"] * PAGE // 1048576,
           "ksmCpu": stats["ksmd_cpu_usage"]}
    want = {"ksmState": False, "ksmMergeAcrossNodes": True, "ksmPages": 5,
            "ksmCpu": 15, "memShared": 0}
    out(got == want and type(got["ksmCpu"]) is int and type(got["ksmPages"]) is int,
        f"stock: vdsm's vector through getStatistics()['host'] -> {got}")
    if not CONV:
        skip("stock: setNamedPolicy('01-parameters', '(set k v)') and setPolicy(MOM text)", NO_CONV)
        return
    # vdsm renders "(set key repr(value))" lines, no trailing newline.
    params = {"balloonEnabled": False, "ksmEnabled": True, "ksmMergeAcrossNodes": True}
    text = "\n".join("(set %s %r)" % kv for kv in params.items())
    out(P.setNamedPolicy("01-parameters", text) is True, f"stock: setNamedPolicy('01-parameters', {text!r})")
    t_off = g1_target(next_plan(SOCK))
    out(t_off is None, f"stock: balloonEnabled False: the next plan does not shrink g1 ({t_off})")
    params["balloonEnabled"] = True
    text = "\n".join("(set %s %r)" % kv for kv in params.items())
    P.setNamedPolicy("01-parameters", text)
    t_on = g1_target(next_plan(SOCK))
    out(t_on is not None and t_on < 4194304, f"stock: balloonEnabled True: the next plan shrinks g1 ({t_on})")
    names = policy_names(SOCK)
    out(P.setPolicy(BAD_MOM_POLICY) is False and policy_names(SOCK) == names,
        "stock: setPolicy(bad MOM text) is False; the set is kept")
    out(P.setPolicy(MOM_POLICY) is True, "stock: setPolicy(MOM text) is True")
    t = g1_target(next_plan(SOCK))
    out(t == int(4194304 * 0.95), f"stock: the next plan is the MOM policy's: g1 -> {t}")
    P.resetPolicies()


def test_parameters_policy():
    """vdsm's parameters arrive as setNamedPolicy('01-parameters', "(set k
    v)..."): a policy only sets defaults, so a value set earlier through
    PATCH /v1/parameters (momctl, the drop-in) would win over the engine."""
    if not CONV:
        skip("setNamedPolicy('01-parameters') sets the parameters", NO_CONV)
        return
    rest(SOCK, "PATCH", "/v1/parameters", {"balloonEnabled": True, "ksmEnabled": True})
    text = "(set balloonEnabled False)\n(set ksmEnabled False)"
    ok = P.setNamedPolicy("01-parameters", text)
    p = rest(SOCK, "GET", "/v1/parameters")[1]
    out(ok is True and p["balloonEnabled"] == 0 and p["ksmEnabled"] == 0,
        f"setNamedPolicy('01-parameters', {text!r}) over an earlier PATCH: both 0 ({ok}, {p})")
    P.setNamedPolicy("01-parameters", "(set balloonEnabled True)")
    out(rest(SOCK, "GET", "/v1/parameters")[1]["balloonEnabled"] == 1,
        "... and back to True")
    before = (rest(SOCK, "GET", "/v1/parameters")[1], policy_names(SOCK))
    for bad in ("(set balloonEnabled 'yes')", "(set balloonEnabled True) (defvar x 1)",
                "(set balloonEnabled None)"):
        out(P.setNamedPolicy("01-parameters", bad) is False
            and (rest(SOCK, "GET", "/v1/parameters")[1], policy_names(SOCK)) == before,
            f"setNamedPolicy('01-parameters', {bad!r}): False, nothing changes")
    # momd takes the policy but cannot take its values (parameters.json
    # cannot be replaced: 500, which the bridge passes on as a fault, as it
    # does momd's other 5xx): the policy that was there is put back, so
    # that a failed call changed nothing.
    policy = rest(SOCK, "GET", "/v1/policies/01-parameters")[1]
    with parameters_unwritable(STATE):
        try:
            ok = P.setNamedPolicy("01-parameters", "(set balloonEnabled False)")
        except xmlrpc.client.Fault as e:
            ok = "fault 500" if "500" in e.faultString else e.faultString
        after = rest(SOCK, "GET", "/v1/policies/01-parameters")[1]
        out(ok in (False, "fault 500") and after == policy,
            f"values refused (500): {ok}, and the policy put back ({after == policy})")
    P.resetPolicies()


def test_huge_values():
    """momd sends values beyond 64 bits as doubles; any client allowed to
    post samples can make one (memory-actual 1e25).  getStatistics must
    still answer: stock vdsm's getKsmStats does not catch a fault, and
    Host.getStats would fail."""
    post(SOCK, {"memory-total": 1e25, "vmpage_number-ksm_sharing": 1e25},
         {"huge": dict(G1, **{"memory-actual": 1e25})})
    wait(lambda: rest(SOCK, "GET", "/v1/stats")[1].get("guests", {}).get("huge"))
    try:
        st = P.getStatistics()
    except xmlrpc.client.Fault as e:
        out(False, f"getStatistics() with a value of 1e25 is a fault: {e.faultString[:80]}")
        return
    g = st["guests"].get("huge", {})
    out(g.get("balloon_cur") in (None, 1e25 / 1024),
        f"getStatistics() with a value of 1e25: no fault; the guest's balloon_cur {g.get('balloon_cur')!r}")
    h = st["host"]
    keys = ("ksm_run", "ksm_pages_to_scan", "ksm_merge_across_nodes",
            "ksm_pages_sharing", "ksmd_cpu_usage")
    out(all(type(h.get(k)) is int for k in keys),
        f"... and the KSM keys vdsm reads stay integers: { {k: h.get(k) for k in keys} }")


def test_unreadable_names():
    """A guest named with a control byte (whoever may post samples names
    the guests): XML 1.0 has no place for it, and an answer holding it is
    one vdsm's parser refuses (ExpatError, which getKsmStats does not
    catch: Host.getStats fails).  The guest is left out; the rest comes."""
    bad = "bad\x01name"
    post(SOCK, PRESSURE_HOST, {bad: G1, "g2": G1})
    wait(lambda: {bad, "g2"} <= set(rest(SOCK, "GET", "/v1/stats")[1].get("guests", {})))
    for name, call in (("getStatistics", P.getStatistics), ("getActiveGuests", P.getActiveGuests)):
        try:
            r = call()
        except Exception as e:  # what vdsm would get
            out(False, f"a guest named {bad!r}: {name}() raised {type(e).__name__}: {e}")
            continue
        names = list(r["guests"]) if name == "getStatistics" else r
        out("g2" in names and bad not in names,
            f"a guest named {bad!r}: {name}() answers, without it ({sorted(names)})")
    h = P.getStatistics()["host"]
    out(type(h.get("ksm_pages_to_scan")) is int and "mem_available" in h,
        f"... and the host's statistics are momd's, not only the sysfs keys ({sorted(h)[:4]})")


class FakeMomd:
    """momd's policy and parameter routes, in memory, for the bridge's
    Methods in this process: a PATCH whose values hold the key holdMe is
    held at a gate, then refused (400)."""

    def __init__(self, mod):
        self.mod, self.policies, self.params = mod, {}, {}
        self.held, self.release = threading.Event(), threading.Event()
        self.patched = threading.Event()  # a PATCH was taken

    def raw(self, method, path, body=None, ctype=None, timeout=None):
        name = path.rsplit("/", 1)[1]
        if method == "GET":
            if name not in self.policies:
                raise self.mod.MomdError(404, "not_found")
            return self.policies[name]
        if method == "PUT":
            self.policies[name] = body.encode() if isinstance(body, str) else body
        elif method == "DELETE":
            self.policies.pop(name, None)
        elif "holdMe" in body:
            self.held.set()
            self.release.wait(30)
            raise self.mod.MomdError(400, "bad_parameter")
        else:
            self.params.update(body)
            self.patched.set()
        return b""


def load_bridge():
    path = os.path.join(os.path.dirname(__file__), "../../contrib/vdsm/mom-xmlrpc-bridge")
    loader = importlib.machinery.SourceFileLoader("mom_xmlrpc_bridge", path)
    mod = importlib.util.module_from_spec(importlib.util.spec_from_loader(loader.name, loader))
    loader.exec_module(mod)
    mod.log.disabled = True  # its warnings are no checker lines
    return mod


def test_tuning_one_at_a_time():
    """Two setNamedPolicy('01-parameters') calls at once (vdsm serves its
    API from several threads): A puts its policy, then its values are
    refused and A puts the old policy back.  If B's policy and values land
    in between, A's put-back undoes B's policy while B's values stay: the
    set and the parameters disagree, though B was told True.  A is held at
    its PATCH until B has either come to the bridge's change lock or
    finished its own PATCH."""
    mod = load_bridge()
    momd = FakeMomd(mod)
    methods = mod.Methods(momd, KSM)
    lock = getattr(methods, "_change_lock", None)
    if lock is not None:
        class WatchedLock:  # says when a second caller asks for the lock
            def __init__(self):
                self.n = 0

            def __enter__(self):
                self.n += 1
                if self.n > 1:
                    momd.release.set()
                return lock.__enter__()

            def __exit__(self, *exc):
                return lock.__exit__(*exc)
        methods._change_lock = WatchedLock()
    path = os.path.join(os.path.dirname(BRIDGE), "fake-bridge.sock")
    srv = mod.UnixXMLRPCServer(path, 0o600)
    srv.register_instance(methods)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        res = {}
        a_text = "(set balloonEnabled False)\n(set holdMe 1)"
        b_text = "(set balloonEnabled True)"

        def call(who, text):
            res[who] = stock_proxy(path, timeout=60).setNamedPolicy("01-parameters", text)
        a = threading.Thread(target=call, args=("A", a_text))
        a.start()
        out(momd.held.wait(30), "A's values are held at momd")
        b = threading.Thread(target=call, args=("B", b_text))
        b.start()
        if lock is None:  # no lock: release A once B's values are in
            momd.patched.wait(30)
            momd.release.set()
        a.join(60)
        b.join(60)
        policy = momd.policies.get("01-parameters", b"").decode()
        out(res == {"A": False, "B": True} and policy == b_text
            and momd.params == {"balloonEnabled": True},
            f"concurrent tuning calls: A {res.get('A')}, B {res.get('B')}; "
            f"the policy in force is B's ({policy!r}) and so are the values ({momd.params})")
    finally:
        momd.release.set()
        srv.shutdown()
        srv.server_close()
        os.unlink(path)


def test_hung_momd():
    """A momd that accepts and never answers: vdsm waits 2 s for MOM, so the
    bridge must give up sooner on ping and getStatistics, or vdsm gets a
    timeout instead of 'inactive' and the sysfs KSM keys."""
    tmp = os.path.dirname(BRIDGE)
    hung, bsock = os.path.join(tmp, "hung-momd.sock"), os.path.join(tmp, "hung-bridge.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(hung)
    s.listen(16)  # accepts (backlog), never answers
    exe = os.path.join(os.path.dirname(__file__), "../../contrib/vdsm/mom-xmlrpc-bridge")
    with open(os.path.join(tmp, "hung-bridge.log"), "ab") as log:
        br = subprocess.Popen([exe, "--socket", bsock, "--momd-socket", hung,
                               "--ksm-dir", KSM], stdout=log, stderr=log)
    try:
        wait(lambda: os.path.exists(bsock))
        p = stock_proxy(bsock, timeout=2)  # vdsm's 2 s
        for name, call, ok in (("ping", p.ping, lambda r: r is False),
                               ("getStatistics", p.getStatistics,
                                lambda r: type(r["host"].get("ksm_pages_to_scan")) is int)):
            t0 = time.monotonic()
            try:
                r = call()
                dt = time.monotonic() - t0
                out(ok(r) and dt < 2, f"momd hung: {name}() answers within vdsm's 2 s ({dt:.2f} s)")
            except (OSError, xmlrpc.client.Error) as e:
                out(False, f"momd hung: {name}() did not answer within vdsm's 2 s: {e}")
    finally:
        br.terminate()
        br.wait(10)
        s.close()


def test_momd_stopped():
    out(P.ping() is False, "momd stopped: ping() is False (vdsm: 'inactive'), not a fault")
    h = P.getStatistics()["host"]
    keys = ("ksm_run", "ksm_pages_to_scan", "ksm_merge_across_nodes",
            "ksm_pages_sharing", "ksmd_cpu_usage")
    out(all(type(h.get(k)) is int for k in keys),
        f"momd stopped: getStatistics()['host'] still has the keys vdsm maps: {h}")
    out(P.setPolicy(MOM_POLICY) is False and P.setNamedPolicy("01-parameters", "(set a 1)") is False,
        "momd stopped: setPolicy and setNamedPolicy return False, not a fault (vdsm only warned)")
    try:
        P.getNamedPolicies()
        out(False, "momd stopped: getNamedPolicies is a fault")
    except xmlrpc.client.Fault as e:
        out("Errno" in e.faultString, f"momd stopped: getNamedPolicies is a fault ({e.faultString[:60]})")


if PHASE == "live":
    run([test_before_first_sample, test_statistics, test_policies,
         test_verbosity, test_stock_sequence, test_parameters_policy,
         test_huge_values, test_unreadable_names,
         test_tuning_one_at_a_time, test_hung_momd])
else:
    run([test_momd_stopped])
