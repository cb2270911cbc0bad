# SPDX-License-Identifier: Apache-2.0
#
# momIF.py: a drop-in for vdsm's own vdsm/momIF.py.  vdsm imports
# `from vdsm.momIF import MomClient`; installed in its place, this module
# gives vdsm the same class with the same methods, argument and return
# types and failure behaviour, but speaks momd's REST API on momd's unix
# socket instead of MOM's XML-RPC.  Python 3, standard library only.
#
# How vdsm drives it (clientIF, host/api.py, API.py):
#   mom = MomClient(config.get("mom", "socket_path")); mom.connect()
#   every Host.getStats:   mom.getStatus(); mom.getKsmStats()
#   Host.setMOMPolicy:     mom.setPolicy(text)             (MOM policy text)
#   Host.setMOMPolicyParameters: mom.setPolicyParameters({"balloonEnabled":
#                          True, "ksmEnabled": True, ...})
#
# Behaviour kept from vdsm's client:
#   - construct and connect() do no I/O and never raise;
#   - every request has a 2 s timeout; after a failure to reach momd every
#     call fails at once for 5 s, so a hung momd never blocks vdsm workers;
#   - an unreachable momd is a logged warning (the polled calls throttled to
#     one in 100), never an exception: getStatus() says 'inactive',
#     getKsmStats() returns {};
#   - getKsmStats() has vdsm's keys and types: ksmState and
#     ksmMergeAcrossNodes bool, ksmPages, memShared (MiB) and ksmCpu int
#     (the engine parses them as integers);
#   - a partial setPolicyParameters() keeps the other keys, and keys given
#     while momd is unreachable go with the next call.
#
# Differences, on purpose:
#   - parameters go to PATCH /v1/parameters as JSON (booleans become 1/0, as
#     vdsm's 00-defines made them), not as a "(set k v)" policy text, and
#     only the keys of the call (with any not yet delivered): momd merges
#     and keeps them, so vdsm's resending of all it ever set is not needed,
#     and would undo other clients' later changes and resend a key momd no
#     longer declares on every call;
#   - setPolicy() sends the MOM text as Content-Type text/x-mom-policy; momd
#     converts and validates it first, so a bad text leaves the policies in
#     force and raises MomError (vdsm's API turns that into momErr);
#   - a parameter momd refuses raises MomError and is not kept, so one bad
#     key does not poison every later call;
#   - momd's own 5xx answers (500 persist_failed, 503 overloaded: nothing
#     changed) raise MomError too and start no back-off; only a failure to
#     reach momd (or an answer that is not momd's) is "not available".
#
# Balloon targets and the engine.  momd sets balloons through libvirt, not
# through vdsm's VM.setBalloonTarget as MOM did, so vdsm would keep
# reporting its own stale balloon_target.  The engine
# (VmAnalyzer.proceedBalloonCheck) treats ballooning as requested when
# balloon_target differs from balloon_max, and then believes the balloon
# driver broken when balloon_cur sits at balloon_max or does not move toward
# balloon_target.  So each poll (getStatus) starts, in a background thread
# (at most one at a time), a sync that reads the targets momd last applied
# (GET /v1/plan, "applied") and makes vdsm RECORD them, never change a
# balloon itself: it calls vdsm's own vm.setBalloonTarget(target) only for
# a VM that is Up (vm.lastStatus) and not migrating (vm.isMigrating()),
# whose balloon libvirt already reports at that target (balloon_cur in
# vm.getStats(), within a 4 KiB page, as momd compares sizes), whose
# balloon momd reports as following, and never while momd runs dry.  vdsm
# then stores and reports that target (persisting it in its metadata as
# balloonTarget), exactly as after MOM's calls.  setBalloonTarget is a
# libvirt write that may wait 30 s for a domain job (a snapshot, a save):
# in the thread it delays the next sync, never vdsm's poll.
import http.client
import json
import logging
import math
import os
import socket
import threading
import time

CONNECTION_TIMEOUT_SEC = 2
THROTTLE_INTERVAL = 5
# One warning per this many failed polls (vdsm's throttledlog setting), and
# always one after an hour of silence.
LOG_EVERY = 100
LOG_SILENCE_S = 3600
MIB = 1048576
# QEMU sizes balloons in 4 KiB pages: closer sizes are the same size.
BALLOON_PAGE_KIB = 4


class MomNotAvailable(Exception):
    """momd cannot be reached, or the client is backing off after that."""


class MomError(Exception):
    """momd refused the request; code is the API's stable error code."""

    def __init__(self, status, code, message, details=None):
        super().__init__(f"momd refused the request: {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}


class _UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout):
        super().__init__("localhost", timeout=timeout)
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


class _Throttle:
    """The first message, then one in `every`, or one after `silence` s."""

    def __init__(self, every=LOG_EVERY, silence=LOG_SILENCE_S):
        self._every, self._silence = every, silence
        self._count, self._last = 0, None
        self._lock = threading.Lock()

    def tick(self):
        now = time.monotonic()
        with self._lock:
            due = (self._count == 0 or self._last is None
                   or now - self._last >= self._silence)
            self._count = (self._count + 1) % self._every
            if due:
                self._last = now
            return due


class _RestClient:
    """HTTP on momd's unix socket with vdsm's timeout and back-off."""

    def __init__(self, sock_path, timeout, backoff, clock):
        self._path = sock_path
        self._timeout = timeout
        self._backoff = backoff
        self._clock = clock
        self._lock = threading.Lock()
        self._retry_at = None

    def _fail(self, why):
        with self._lock:
            self._retry_at = self._clock() + self._backoff
        raise MomNotAvailable(f"momd at {self._path} is not available: {why}")

    def call(self, method, path, body=None, content_type=None):
        with self._lock:
            if self._retry_at is not None and self._clock() < self._retry_at:
                raise MomNotAvailable("momd is not available (backing off "
                                      f"{self._backoff:g} s after a failure)")
        headers = {}
        if body is not None:
            if content_type is None:
                body = json.dumps(body).encode()
                content_type = "application/json"
            elif isinstance(body, str):
                body = body.encode()
            headers["Content-Type"] = content_type
        conn = _UnixHTTPConnection(self._path, self._timeout)
        try:
            conn.request(method, path, body=body, headers=headers)
            r = conn.getresponse()
            status, raw = r.status, r.read()
        except (OSError, http.client.HTTPException) as e:
            self._fail(e)
        finally:
            conn.close()
        try:
            reply = json.loads(raw) if raw else None
        except ValueError as e:
            self._fail(f"the reply is not JSON: {e}")
        if status >= 400:
            # momd's own refusal, 5xx included (500 persist_failed, 503
            # overloaded), carries its JSON error: momd answered, so no
            # back-off, and the caller learns nothing changed.  A 5xx
            # without one is not momd's answer.
            if not (isinstance(reply, dict)
                    and isinstance(reply.get("error"), str)):
                if status >= 500:
                    self._fail(f"HTTP {status}")
                reply = {}
            raise MomError(status, reply.get("error", f"HTTP {status}"),
                           reply.get("message", ""), reply)
        with self._lock:
            self._retry_at = None
        return reply


def ksm_stats(host, page_size):
    """vdsm's KSM keys and types from momd's host statistics (MOM's names);
    {} unless all five statistics are there (before the first sample)."""
    need = ("ksm_run", "ksm_pages_to_scan", "ksm_merge_across_nodes",
            "ksm_pages_sharing", "ksmd_cpu_usage")
    if not isinstance(host, dict) or any(
            not isinstance(host.get(k), (int, float))
            or isinstance(host.get(k), bool)
            or not math.isfinite(host.get(k)) for k in need):
        return {}
    return {
        "ksmState": bool(host["ksm_run"]),
        "ksmPages": int(host["ksm_pages_to_scan"]),
        "ksmMergeAcrossNodes": bool(host["ksm_merge_across_nodes"]),
        "memShared": int(host["ksm_pages_sharing"]) * page_size // MIB,
        # MOM's ksmd_cpu_usage was an integer percent (truncated).
        "ksmCpu": int(host["ksmd_cpu_usage"]),
    }


def _vdsm_vms():
    """vdsm's running VM objects when this module runs inside vdsm, else
    None.  The clientIF singleton is read as it is (clientIF._instance:
    getInstance() would create one outside vdsm); the rest is vdsm's
    public interface: getVMs(), and on each VM name, lastStatus,
    isMigrating(), getStats(), get_balloon_info() and setBalloonTarget()."""
    try:
        from vdsm import clientIF as cif_module
    except ImportError:
        return None
    cif = getattr(cif_module.clientIF, "_instance", None)
    if cif is None:
        return None
    return list(cif.getVMs().values())


def _vm_up():
    """vdsm's status string of a running VM (vdsm.virt.vmstatus.UP)."""
    try:
        from vdsm.virt import vmstatus
        return vmstatus.UP
    except ImportError:
        return "Up"


def _balloon_cur(vm):
    """The balloon size libvirt last reported for vm (KiB), from vdsm's
    cached statistics (getStats() only copies data), or None."""
    info = vm.getStats().get("balloonInfo") or {}
    try:
        return int(info["balloon_cur"])
    except (KeyError, TypeError, ValueError):
        return None


class MomClient(object):
    """vdsm's MomClient, backed by momd's REST API.

    Thread-safe: vdsm calls it from several threads.  timeout, backoff,
    clock and page_size exist for tests; vdsm passes only sock_path.
    """

    def __init__(self, sock_path, timeout=CONNECTION_TIMEOUT_SEC,
                 backoff=THROTTLE_INTERVAL, clock=time.monotonic,
                 page_size=None, vdsm_vms=_vdsm_vms):
        self.log = logging.getLogger("MOM")
        self.log.info("Preparing MOM interface (momd REST API)")
        self._sock_path = sock_path
        self._timeout = timeout
        self._backoff = backoff
        self._clock = clock
        self._page_size = page_size or os.sysconf("SC_PAGE_SIZE")
        self._mom = None
        self._pending = {}  # parameters not yet delivered
        self._params_lock = threading.Lock()
        self._lock = threading.Lock()
        self._warn_status = _Throttle()
        self._warn_ksm = _Throttle()
        self._warn_sync = _Throttle()
        self._vdsm_vms = vdsm_vms
        self._sync_thread = None

    def connect(self):
        """Prepare the connection; no I/O, so it works while momd is down."""
        if self._mom is not None:
            return
        self.log.info("MOM: Using momd's unix socket: %s", self._sock_path)
        self._mom = _RestClient(self._sock_path, self._timeout,
                                self._backoff, self._clock)

    def _client(self):
        if self._mom is None:
            raise MomNotAvailable("connect() was not called")
        return self._mom

    def getStatus(self):
        """'active' when momd answers its ping, 'inactive' otherwise.  One
        request; the balloon sync it starts runs in a thread of its own."""
        try:
            reply = self._client().call("GET", "/v1/ping")
        except (MomNotAvailable, MomError) as e:
            if self._warn_status.tick():
                self.log.warning("MOM not available. Error: %s", e)
            return "inactive"
        ok = isinstance(reply, dict) and reply.get("ok") is True
        if ok:
            self._start_sync()
        return "active" if ok else "inactive"

    def _start_sync(self):
        """Run syncBalloonTargets in the background unless a sync still
        runs (a VM's setBalloonTarget may wait 30 s for libvirt)."""
        with self._lock:
            if self._sync_thread is not None and self._sync_thread.is_alive():
                return
            t = threading.Thread(target=self.syncBalloonTargets,
                                 name="mom-balloon-sync", daemon=True)
            self._sync_thread = t
        t.start()

    def _sync_join(self, timeout=None):
        """Wait for the background sync (for tests); True when none runs."""
        t = self._sync_thread
        if t is not None:
            t.join(timeout)
            return not t.is_alive()
        return True

    def syncBalloonTargets(self):
        """Make vdsm record, as each VM's balloon_target, the target momd
        last applied to it, where that changes no balloon (see the top of
        this file).  Returns the names of the VMs whose vdsm target was
        updated.  Never raises."""
        done = []
        try:
            vms = self._vdsm_vms()
            if not vms:
                return done
            mom = self._client()
            if mom.call("GET", "/v1/dry-run").get("enabled") is not False:
                return done  # momd acts on nothing: nor does the sync
            applied = mom.call("GET", "/v1/plan").get("applied", {})
            up = _vm_up()
        except Exception as e:  # a missed sync is retried at the next poll
            if self._warn_sync.tick():
                self.log.warning("balloon targets not synced with vdsm: %s", e)
            return done
        for vm in vms:
            try:
                a = applied.get(vm.name, {})
                target = a.get("target", -1)
                if (not isinstance(target, int) or isinstance(target, bool)
                        or target <= 0 or a.get("following") is False):
                    continue
                if vm.lastStatus != up or vm.isMigrating():
                    continue
                info = vm.get_balloon_info()
                if not info or not info.get("enabled", True):
                    continue
                if info.get("target") == target:
                    continue
                cur = _balloon_cur(vm)
                if cur is None or abs(cur - target) >= BALLOON_PAGE_KIB:
                    continue  # not (or no longer) momd's size: leave it
                # The VMs before this one may have taken long (a libvirt
                # job): momd may have applied another target since, which
                # setBalloonTarget (a libvirt write) would undo.  Asked
                # again right before the call; what is left is the time of
                # one request.
                now = mom.call("GET", "/v1/plan").get("applied", {})
                now = now.get(vm.name, {}) if isinstance(now, dict) else {}
                if now.get("target") != target or now.get("following") is False:
                    continue
                vm.setBalloonTarget(target)
                done.append(vm.name)
            except Exception as e:
                if self._warn_sync.tick():
                    self.log.warning("balloon target of %s not synced with "
                                     "vdsm: %s", getattr(vm, "name", "?"), e)
        return done

    def getKsmStats(self):
        """{ksmState, ksmPages, ksmMergeAcrossNodes, memShared (MiB), ksmCpu}
        from momd's latest host sample; {} when momd cannot be reached or
        has no complete sample yet."""
        try:
            stats = self._client().call("GET", "/v1/stats")
        except (MomNotAvailable, MomError) as e:
            if self._warn_ksm.tick():
                self.log.warning("MOM not available, KSM stats will be "
                                 "missing. Error: %s", e)
            return {}
        host = stats.get("host") if isinstance(stats, dict) else None
        return ksm_stats(host, self._page_size)

    def setPolicy(self, policyStr):
        """Replace every policy with this MOM policy-language text.  momd
        refusing it raises MomError (nothing changes); an unreachable momd is
        a warning."""
        try:
            self._client().call("PUT", "/v1/policies", policyStr,
                                content_type="text/x-mom-policy")
        except MomNotAvailable as e:
            self.log.warning("MOM not available, Policy could not be set. "
                             "Error: %s", e)

    def setPolicyParameters(self, key_value_store):
        """Send these parameters (PATCH /v1/parameters: momd merges them into
        its own and persists them), with those given while momd could not
        be reached: only they, so a key momd no longer declares (its policy
        set replaced) is not sent again and again, and a value another
        client set since is not undone.  Calls are serialised, the request
        included.  A set momd refuses raises MomError: a 5xx (it could not
        persist, it is overloaded: nothing changed) keeps the keys for the
        next call; a 4xx (a key or value it does not take) drops this
        call's keys, and the earlier ones are sent on their own, so that
        one bad key loses no other."""
        with self._params_lock:
            earlier = dict(self._pending)
            body = dict(earlier)
            body.update(key_value_store)
            try:
                self._client().call("PATCH", "/v1/parameters", body)
            except MomNotAvailable as e:
                self._pending = body  # goes with the next call
                self.log.warning("MOM not available, Policy could not be set. "
                                 "Error: %s", e)
                return
            except MomError as e:
                self._pending = body if e.status >= 500 else {}
                if e.status < 500 and earlier:
                    self._send_earlier(earlier)
                raise
            self._pending = {}

    def _send_earlier(self, earlier):
        """After a 4xx for a call's new keys, the keys given while momd
        could not be reached, alone; kept again if momd is unreachable or
        cannot take them now (5xx), dropped with a warning if it refuses
        them too.  Called with _params_lock held."""
        try:
            self._client().call("PATCH", "/v1/parameters", earlier)
        except MomNotAvailable:
            self._pending = earlier
        except MomError as e:
            if e.status >= 500:
                self._pending = earlier
            else:
                self.log.warning("parameters given while MOM was not "
                                 "available refused: %s", e)
