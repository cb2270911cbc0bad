# SPDX-License-Identifier: Apache-2.0
#
# momclient.py: what vdsm's MOM client (lib/vdsm/momIF.py) offers, over
# momd's REST API on its unix socket.  Python 3, standard library only.
#
# Behaviour kept from vdsm (mom-reference.md section 4.2):
#   - one client per process on the unix socket, 2 s timeout per call;
#   - after a failure to reach momd, every call fails at once for 5 s
#     (back-off), so a hung or restarting momd never blocks vdsm's workers;
#   - getStatus() is 'active' or 'inactive' (from the ping);
#   - getKsmStats() maps the host statistics to vdsm's keys: ksmState is
#     bool(ksm_run), so run 2 (unmerging) reports True; memShared is
#     ksm_pages_sharing * page size // 1 MiB, i.e. MiB; {} when momd cannot
#     be reached;
#   - setPolicyParameters(dict) merges into a dict kept for the client's
#     lifetime and sends all of it, so partial updates keep the other keys.
#
# Deliberate differences (bugs not repeated):
#   - a refused change raises MomError (vdsm ignored MOM's false result);
#   - setPolicy() is validated by momd before anything changes, so a bad
#     text leaves the previous policies in force;
#   - parameters that momd refuses are not kept in the lifetime dict, so
#     one bad key does not make every later call fail;
#   - a statistic momd does not have is left out of getKsmStats() instead
#     of raising KeyError;
#   - only failures to reach momd (and its 5xx answers) start the back-off;
#     a 4xx refusal is the caller's error and raises MomError at once.
#
# Usage:
#   client = MomClient("/run/mom/momd.sock")
#   client.getStatus()                    -> 'active'
#   client.getKsmStats()                  -> {'ksmState': False, ...}
#   client.setPolicyParameters({"balloonEnabled": True})
import http.client
import json
import os
import socket
import threading
import time

DEFAULT_SOCKET = "/run/mom/momd.sock"
TIMEOUT_S = 2.0
BACKOFF_S = 5.0
# The name MOM gave the single policy of setPolicy().
MAIN_POLICY = "50_main_"


class MomNotAvailable(Exception):
    """momd cannot be reached, or the client is backing off after that."""


class MomError(Exception):
    """momd refused the request: code is the API's stable error code."""

    def __init__(self, status, code, message, details=None):
        super().__init__(f"{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("momd", timeout=timeout)
        self._path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(self.timeout)
        try:
            s.connect(self._path)
        except BaseException:
            s.close()
            raise
        self.sock = s


class MomClient:
    """vdsm's view of MOM, backed by momd's REST API.

    Thread-safe: calls may come from several of vdsm's threads.  clock and
    page_size are for tests.
    """

    def __init__(self, socket_path=DEFAULT_SOCKET, timeout=TIMEOUT_S,
                 backoff=BACKOFF_S, clock=time.monotonic, page_size=None):
        self.socket_path = socket_path
        self._timeout = timeout
        self._backoff = backoff
        self._clock = clock
        self._page_size = page_size or os.sysconf("SC_PAGE_SIZE")
        self._lock = threading.Lock()
        self._retry_at = None
        self._params = {}

    # -- transport -------------------------------------------------------

    def _check_backoff(self):
        with self._lock:
            if self._retry_at is not None and self._clock() < self._retry_at:
                raise MomNotAvailable("momd is not available (backing off)")

    def _fail(self, why):
        with self._lock:
            self._retry_at = self._clock() + self._backoff
        raise MomNotAvailable(f"momd is not available: {why}")

    def _call(self, method, path, body=None):
        """One request; the decoded JSON reply, or an exception."""
        self._check_backoff()
        conn = _UnixConnection(self.socket_path, self._timeout)
        headers = {}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=data, headers=headers)
            r = conn.getresponse()
            status, raw = r.status, r.read()
        except (OSError, http.client.HTTPException) as e:
            self._fail(e)
        finally:
            conn.close()
        try:
            reply = json.loads(raw) if raw else None
        except ValueError as e:
            self._fail(f"reply is not JSON: {e}")
        if status >= 500:
            self._fail(f"HTTP {status}")
        if status >= 400:
            reply = reply if isinstance(reply, dict) else {}
            raise MomError(status, reply.get("error", "unknown"),
                           reply.get("message", ""), reply)
        with self._lock:
            self._retry_at = None
        return reply

    # -- vdsm's interface ------------------------------------------------

    def getStatus(self):
        """'active' when momd answers its ping, 'inactive' otherwise."""
        try:
            reply = self._call("GET", "/v1/ping")
        except (MomNotAvailable, MomError):
            return "inactive"
        return "active" if isinstance(reply, dict) and reply.get("ok") else "inactive"

    def getKsmStats(self):
        """vdsm's KSM keys from momd's latest host statistics ({} when
        momd cannot be reached)."""
        try:
            stats = self._call("GET", "/v1/stats")
        except (MomNotAvailable, MomError):
            return {}
        return ksm_stats_from_host(stats.get("host", {}), self._page_size)

    def setPolicy(self, text):
        """Replace the whole policy set with one policy (MOM's setPolicy).
        momd validates it first: a bad text raises MomError and leaves the
        policies in force."""
        self._call("PUT", "/v1/policies", {"policies": {MAIN_POLICY: text}})

    def setPolicyParameters(self, key_value_store):
        """Merge key_value_store into the parameters kept for this client's
        lifetime and send all of them (vdsm's setMOMPolicyParameters)."""
        with self._lock:
            merged = dict(self._params)
        merged.update(key_value_store)
        self._call("PATCH", "/v1/parameters", merged)
        with self._lock:
            self._params = merged

    # -- beyond vdsm: handy for operators and tests ----------------------

    def getPolicy(self):
        """The combined policy set, in name order."""
        return self._call("GET", "/v1/effective-policy")["policies"]

    def resetPolicies(self):
        self._call("DELETE", "/v1/policies")


def ksm_stats_from_host(host, page_size):
    """Map momd's host statistics (MOM's names) to vdsm's KSM keys.  A key
    whose statistic is absent is left out."""
    out = {}
    if "ksm_run" in host:
        out["ksmState"] = bool(host["ksm_run"])
    if "ksm_pages_to_scan" in host:
        out["ksmPages"] = host["ksm_pages_to_scan"]
    if "ksm_merge_across_nodes" in host:
        out["ksmMergeAcrossNodes"] = bool(host["ksm_merge_across_nodes"])
    if "ksm_pages_sharing" in host:
        out["memShared"] = int(host["ksm_pages_sharing"]) * page_size // 1048576
    if "ksmd_cpu_usage" in host:
        out["ksmCpu"] = host["ksmd_cpu_usage"]
    return out
