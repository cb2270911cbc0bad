# SPDX-License-Identifier: Apache-2.0
#
# vdsm_lib.py: what the vdsm tests (vdsm_client_test.py, vdsm_bridge_test.py)
# share: raw REST calls to the real momd, posting samples as collectd's
# write_http does, waiting for the next plan, PASS/FAIL/SKIP lines, and
# vdsm's stock XML-RPC transport (HTTP on a unix socket, the way vdsm's
# lib/vdsm/common/unixrpc.py connects, with allow_none).
import base64
import contextlib
import http.client
import json
import os
import socket
import sys
import time
import xmlrpc.client

MOM_TEXT = "text/x-mom-policy"
# A MOM policy in MOM's own language, in the style of vdsm's 02-balloon: every
# guest's balloon 5 % under its current size.
MOM_POLICY = """(def shrink (guest)
    (guest.Control "balloon_target" (* guest.balloon_cur 0.95)))
(with Guests guest (shrink guest))
"""
BAD_MOM_POLICY = "(def broken (guest)\n    (guest.Control \"balloon_target\"\n"


def out(ok, desc):
    print(("PASS " if ok else "FAIL ") + desc, flush=True)


def skip(desc, why):
    print(f"SKIP {desc} # {why}", flush=True)


class _Unix(http.client.HTTPConnection):
    def __init__(self, path, timeout=5):
        super().__init__("localhost", timeout=timeout)
        self._path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self._path)


def rest(sock, method, path, body=None, ctype="application/json"):
    """(status, decoded JSON or text) of one call to momd."""
    c = _Unix(sock)
    headers = {}
    if body is not None:
        if not isinstance(body, str):
            body = json.dumps(body)
        headers["Content-Type"] = ctype
    c.request(method, path, body=body.encode() if body is not None else None,
              headers=headers)
    r = c.getresponse()
    raw = r.read()
    c.close()
    try:
        return r.status, json.loads(raw) if raw else None
    except ValueError:
        return r.status, raw.decode(errors="replace")


def post(sock, host=None, guests=None):
    """One sample through /v1/metrics; keys are collectd type-instance
    (memory-total, gauge-ksm_run), all records with one time stamp."""
    now = round(time.time(), 3)

    def rec(inst, k, v):
        t, ti = k.split("-", 1)
        return {"values": [v], "dstypes": ["gauge"], "dsnames": ["value"],
                "time": now, "interval": 10, "host": "hv01", "plugin": "mom",
                "plugin_instance": inst, "type": t, "type_instance": ti}
    recs = [rec("", k, v) for k, v in (host or {}).items()]
    for g, vals in (guests or {}).items():
        recs += [rec(g, k, v) for k, v in vals.items()]
    st, body = rest(sock, "POST", "/v1/metrics", recs)
    if st != 200:
        raise RuntimeError(f"POST /v1/metrics: {st} {body}")


# B1-like pressure (10 % free) on one 4 GiB guest using 2 GiB: with
# balloonEnabled the default policy shrinks g1, without it nothing.
PRESSURE_HOST = {"memory-total": 10240000000, "memory-free": 1024000000}
G1 = {"memory-actual": 4294967296, "memory-maximum": 4294967296,
      "memory-minimum": 0, "memory-unused": 2147483648}


def next_plan(sock, secs=10):
    """The plan of a cycle that started after this call (momd runs with
    --interval-ms 500): wait for two more cycles."""
    c0 = rest(sock, "GET", "/v1/status")[1]["cycles"]
    end = time.monotonic() + secs
    while time.monotonic() < end:
        post(sock, PRESSURE_HOST, {"g1": G1})  # keep the sample fresh
        if rest(sock, "GET", "/v1/status")[1]["cycles"] >= c0 + 2:
            return rest(sock, "GET", "/v1/plan")[1]["plan"] or {}
        time.sleep(0.1)
    return {}


def g1_target(plan):
    return plan.get("guests", {}).get("g1", {}).get("balloon_target")


def has_converter(sock):
    """Does momd take MOM policy text (the converter of branch w16conv)?
    Probed with a broken text: 415 means no, 400 yes; nothing changes."""
    st, _ = rest(sock, "PUT", "/v1/policies/zz-probe", "(", MOM_TEXT)
    return st != 415


def policy_names(sock):
    return [p["name"] for p in rest(sock, "GET", "/v1/policies")[1]["policies"]]


class _Transport(xmlrpc.client.Transport):
    def __init__(self, timeout):
        super().__init__()
        self._timeout = timeout

    def make_connection(self, host):
        c = _Unix(base64.b16decode(host).decode(), self._timeout)
        return c


def stock_proxy(path, timeout=2):
    """An xmlrpc.client proxy made as vdsm's UnixXmlRpcClient makes it: the
    socket path base16-encoded as the URL's host, allow_none."""
    uri = "http://" + base64.b16encode(path.encode()).decode()
    return xmlrpc.client.ServerProxy(uri, transport=_Transport(timeout),
                                     allow_none=1)


@contextlib.contextmanager
def parameters_unwritable(state_dir):
    """momd cannot replace state_dir/parameters.json while this runs (a
    directory stands in its place): a PATCH answers 500 persist_failed and
    changes nothing.  The file is put back after."""
    f = os.path.join(state_dir, "parameters.json")
    saved = f + ".saved"
    if os.path.exists(f):
        os.rename(f, saved)
    os.mkdir(f)
    try:
        yield
    finally:
        os.rmdir(f)
        if os.path.exists(saved):
            os.rename(saved, f)


def wait(pred, secs=10):
    """Poll pred() until it is truthy; its last value."""
    end = time.monotonic() + secs
    while True:
        v = pred()
        if v or time.monotonic() > end:
            return v
        time.sleep(0.1)


def run(tests):
    for t in tests:
        try:
            t()
        except Exception as e:  # a crash is a failure; the others still run
            out(False, f"{t.__name__} raised {type(e).__name__}: {e}")
    sys.stdout.flush()
