# SPDX-License-Identifier: Apache-2.0
#
# vdsm_client_test.py SOCKET TMPDIR: contrib/vdsm/momclient.py against a
# real momd (driven by tests/it/vdsm_client.sh).  Statistics are posted
# through /v1/metrics as collectd would, then read back through the client
# and compared with vdsm's mapping.  Prints "PASS desc" / "FAIL desc".
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "../../contrib/vdsm"))
import momclient  # noqa: E402

SOCK, TMP = sys.argv[1], sys.argv[2]
PAGE = os.sysconf("SC_PAGE_SIZE")
raw = momclient.MomClient(SOCK)


def out(ok, desc):
    print(("PASS " if ok else "FAIL ") + desc)


def post_host(**values):
    """Post one host sample; keys are collectd type-instance with '__'
    for '-' (gauge__ksm_run)."""
    now = time.time()
    recs = [{"values": [v], "dstypes": ["gauge"], "dsnames": ["value"],
             "time": now, "interval": 10, "host": "hv01", "plugin": "mom",
             "plugin_instance": "", "type": k.split("__")[0],
             "type_instance": k.split("__")[1]} for k, v in values.items()]
    raw._call("POST", "/v1/metrics", recs)


def wait_stats(client, want, secs=10):
    """Poll getKsmStats until it equals want; the last value."""
    end = time.monotonic() + secs
    got = None
    while time.monotonic() < end:
        got = client.getKsmStats()
        if got == want:
            break
        time.sleep(0.1)
    return got


class FakeClock:
    def __init__(self):
        self.t = 1000.0

    def __call__(self):
        return self.t


def test_status_and_stats():
    c = momclient.MomClient(SOCK)
    out(c.getStatus() == "active", "getStatus: active")
    # vdsm's own test vector.
    post_host(gauge__ksm_run=0, gauge__ksm_merge_across_nodes=1,
              vmpage_number__ksm_pages_to_scan=5,
              vmpage_number__ksm_sharing=100, percent__ksmd_cpu=15)
    want = {"ksmState": False, "ksmMergeAcrossNodes": True, "ksmPages": 5,
            "ksmCpu": 15, "memShared": 0}
    got = wait_stats(c, want)
    out(got == want, f"vdsm test vector {{run 0, merge 1, pts 5, sharing 100, cpu 15}} -> {got}")
    # Run 2 (unmerging) reports True; memShared in MiB.
    sharing = 3 * 1048576 // PAGE * 100 + 7
    post_host(gauge__ksm_run=2, gauge__ksm_merge_across_nodes=0,
              vmpage_number__ksm_pages_to_scan=1250,
              vmpage_number__ksm_sharing=sharing, percent__ksmd_cpu=2.5)
    want = {"ksmState": True, "ksmMergeAcrossNodes": False, "ksmPages": 1250,
            "ksmCpu": 2.5, "memShared": sharing * PAGE // 1048576}
    got = wait_stats(c, want)
    out(got == want, f"run 2 reports ksmState True, memShared {want['memShared']} MiB: {got}")
    out(got.get("memShared") == 300, "memShared is MiB (300 MiB of shared pages)")
    host = raw._call("GET", "/v1/stats")["host"]
    out(host.get("ksm_pages_sharing") == sharing,
        "the client's values are those posted through /v1/metrics")


def test_parameters():
    c = momclient.MomClient(SOCK)
    get = lambda: raw._call("GET", "/v1/parameters")  # noqa: E731
    c.setPolicyParameters({"balloonEnabled": True, "ksmEnabled": True,
                           "ksmMergeAcrossNodes": True})
    p = get()
    out([p["balloonEnabled"], p["ksmEnabled"], p["ksmMergeAcrossNodes"]] == [1, 1, 1],
        "setPolicyParameters: the three booleans vdsm sends")
    c.setPolicyParameters({"ksmEnabled": False})
    p = get()
    out([p["balloonEnabled"], p["ksmEnabled"], p["ksmMergeAcrossNodes"]] == [1, 0, 1],
        "a partial update keeps the other keys")
    # The lifetime merge: the client resends what it was given before.
    raw._call("PATCH", "/v1/parameters", {"balloonEnabled": False})
    c.setPolicyParameters({"ksmMergeAcrossNodes": False})
    p = get()
    out([p["balloonEnabled"], p["ksmEnabled"], p["ksmMergeAcrossNodes"]] == [1, 0, 0],
        "the client keeps the merged keys for its lifetime and resends them")
    before = get()
    try:
        c.setPolicyParameters({"noSuchParameter": 1})
        out(False, "an unknown parameter raises MomError")
    except momclient.MomError as e:
        out(e.code == "bad_parameter" and e.status == 400,
            f"an unknown parameter raises MomError ({e.code})")
    out(get() == before, "... and changes nothing")
    c.setPolicyParameters({"ksmEnabled": True})
    out(get()["ksmEnabled"] == 1, "a refused key is not kept: later calls work")


def test_set_policy():
    c = momclient.MomClient(SOCK)
    before = raw._call("GET", "/v1/policies")
    try:
        c.setPolicy('{"host": [')
        out(False, "setPolicy with a bad text raises MomError")
    except momclient.MomError as e:
        out(e.code == "invalid_policy" and e.details.get("line") == 1,
            f"setPolicy with a bad text raises MomError with the position ({e})")
    out(raw._call("GET", "/v1/policies") == before,
        "... and the policies in force stay (MOM's setPolicy left none)")
    text = '{"host": [{"rule": "scan", "do": [{"set": "ksm_pages_to_scan", "to": 64}]}]}'
    c.setPolicy(text)
    names = [p["name"] for p in raw._call("GET", "/v1/policies")["policies"]]
    out(names == [momclient.MAIN_POLICY], f"setPolicy replaces the set with {names}")
    out(c.getPolicy()[0]["policy"]["host"][0]["rule"] == "scan", "getPolicy reads it back")
    c.resetPolicies()
    names = [p["name"] for p in raw._call("GET", "/v1/policies")["policies"]]
    out(momclient.MAIN_POLICY not in names and "00-defines" in names, "resetPolicies restores policy_dir")


def test_backoff():
    clock = FakeClock()
    c = momclient.MomClient(os.path.join(TMP, "no-such.sock"), clock=clock)
    out(c.getStatus() == "inactive", "getStatus: inactive when momd is not there")
    out(c.getKsmStats() == {}, "getKsmStats: {} when momd is not there")
    c.socket_path = SOCK  # momd is reachable now, but the client backs off
    t0 = time.monotonic()
    try:
        c.setPolicyParameters({"ksmEnabled": True})
        out(False, "during the back-off a call fails")
    except momclient.MomNotAvailable:
        out(time.monotonic() - t0 < 0.1, "during the 5 s back-off every call fails at once")
    out(c.getStatus() == "inactive", "getStatus during the back-off: inactive")
    clock.t += 4.9
    out(c.getStatus() == "inactive", "still backing off after 4.9 s")
    clock.t += 0.2
    out(c.getStatus() == "active", "after 5 s the client tries again")


def test_timeout():
    # A socket that accepts connections (backlog) but never answers.
    path = os.path.join(TMP, "hung.sock")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(4)
    c = momclient.MomClient(path)
    t0 = time.monotonic()
    status = c.getStatus()
    dt = time.monotonic() - t0
    out(status == "inactive" and 1.8 <= dt < 3.5,
        f"a hung momd: inactive after the 2 s timeout ({dt:.2f} s)")
    t0 = time.monotonic()
    c.getKsmStats()
    out(time.monotonic() - t0 < 0.1, "then calls fail fast (back-off)")
    s.close()


def test_mapping_absent():
    got = momclient.ksm_stats_from_host({"ksm_run": 1}, 4096)
    out(got == {"ksmState": True}, "an absent statistic is left out, not a KeyError")


for t in (test_status_and_stats, test_parameters, test_set_policy,
          test_backoff, test_timeout, test_mapping_absent):
    try:
        t()
    except Exception as e:  # a crash is a failure, and the others still run
        out(False, f"{t.__name__} raised {type(e).__name__}: {e}")
