#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""momapi: the one test client for momd's REST API (standard library only).

The integration tests talk to momd through this module (Python tests import
it) or its command line (shell tests, through the wrappers in
tests/lib/momd.sh), so no test splices JSON into a `python3 -c` string.

Python:
    c = momapi.Client(socket=path)          # or url="http://127.0.0.1:PORT"
    status, body = c.request("GET", "/v1/status")    # body: bytes
    status, headers, body = c.exchange("GET", "/v1/ping")
    status, j = c.json("PATCH", "/v1/parameters", {"balloonEnabled": True})
    momapi.pick(j, ".ingest.batches")       # a path, or a Python expression
                                            # over j: "len(j['guests'])"
One Client keeps its connection open (HTTP/1.1 keep-alive), so a test that
sends many requests pays for one process and one connection.

Command line (exit status 0 when every request answered 2xx, 1 when one did
not, 2 on a usage error, 3 when momd could not be reached):
    momapi.py [--socket P | --url U] METHOD PATH [BODY|@FILE] [EXPR...]
        one request (a BODY for POST, PUT and PATCH only); prints the body,
        or each EXPR evaluated on the JSON reply.  --status prints the
        status code first, on a line of its own; --timeout S (default 30).
    momapi.py json [--file F] EXPR...
        evaluates each EXPR on the JSON read from stdin (or F); exit 1 when
        one fails (a missing key, a bad index).
    momapi.py same A B
        exit 0 when the JSON texts A and B (@FILE: read from FILE) are
        equal as JSON (key order and spacing aside), else 1.
    momapi.py free-port [tcp|udp]
        an unused port on 127.0.0.1 (default tcp), for a test's listener
    momapi.py batch [--socket P | --url U]
        one request per stdin line, all on one connection: "POST|PUT|PATCH
        PATH BODY" or "METHOD PATH [EXPR...]" (EXPRs without spaces);
        prints "STATUS BODY" per request, the body on one line, or
        "STATUS VALUE..." when EXPRs were given.
The socket defaults to $MOMD_SOCK.  An EXPR starting with "." is a path
(.guests.g1.balloon_cur, .policies[1].name, .["a key"]); anything else is a
Python expression over j (and over the --bind NAME given, e.g. --bind a);
--arg NAME VALUE passes a string in, so no value is spliced into an EXPR.
A value prints as JSON when it is a dict, list, bool or tuple, plain
otherwise; None prints nothing.  --str prints bools and tuples the
Python way (True, (0.0, 1)), as the old jq_get did.
"""
import json
import os
import re
import sys

# http.client and socket are imported by Client only: `momapi json`, the
# most frequent call from shell, then starts as fast as a bare python3 -c.


def _unix_connection(path, timeout):
    """An HTTPConnection over a unix socket: only connect() differs."""
    import http.client
    import socket

    class UnixConnection(http.client.HTTPConnection):
        def connect(self):
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.settimeout(self.timeout)
            s.connect(path)
            self.sock = s

    return UnixConnection("momd", timeout=timeout)


class Client:
    """One kept-alive connection to momd; reconnects once if momd closed it."""

    def __init__(self, socket=None, url=None, timeout=30):
        import http.client
        import urllib.parse

        self._http = http.client
        if url:
            u = urllib.parse.urlsplit(url)
            self._new = lambda: http.client.HTTPConnection(
                u.hostname, u.port or 80, timeout=timeout)
        else:
            path = socket or os.environ.get("MOMD_SOCK")
            if not path:
                raise ValueError("no socket: pass socket= or set MOMD_SOCK")
            self._new = lambda: _unix_connection(path, timeout)
        self._conn = None

    def request(self, method, path, body=None, ctype="application/json",
                headers=None):
        """Send one request; returns (status, body bytes)."""
        status, _, data = self.exchange(method, path, body, ctype, headers)
        return status, data

    def exchange(self, method, path, body=None, ctype="application/json",
                 headers=None):
        """Send one request; returns (status, {lower-case header: value},
        body bytes)."""
        if isinstance(body, str):
            body = body.encode()
        h = dict(headers or {})
        if body is not None:
            h.setdefault("Content-Type", ctype)
        while True:
            reused = self._conn is not None
            if not reused:
                self._conn = self._new()
            try:
                self._conn.request(method, path, body=body, headers=h)
                r = self._conn.getresponse()
                data = r.read()
                if r.getheader("Connection", "").lower() == "close":
                    self.close()
                return (r.status, {k.lower(): v for k, v in r.getheaders()},
                        data)
            except (self._http.RemoteDisconnected, BrokenPipeError,
                    ConnectionResetError):
                # Only a kept-alive connection that momd closed meanwhile is
                # retried (once, on a fresh one): the request never reached
                # it.  On a fresh connection the error is the answer.
                self.close()
                if not reused:
                    raise

    def json(self, method, path, doc=None):
        """Send DOC as JSON (when given); returns (status, parsed reply)."""
        body = None if doc is None else json.dumps(doc)
        status, data = self.request(method, path, body)
        return status, (json.loads(data) if data.strip() else None)

    def close(self):
        if self._conn is not None:
            self._conn.close()
            self._conn = None


_STEP = re.compile(r'\.([A-Za-z_][\w-]*)|\[(-?\d+)\]|\.?\["((?:[^"\\]|\\.)*)"\]')


def pick(j, expr, binds=(), args=None):
    """EXPR on J: a path (.a.b[0], "." for J itself) or a Python expression
    over j, the names in BINDS (J again) and ARGS (name: string)."""
    if not expr.startswith("."):
        env = {"j": j, "json": json}
        env.update((name, j) for name in binds)
        env.update(args or {})
        return eval(expr, env)  # test code written by the test's author
    v, pos = j, 1 if expr == "." else 0
    while pos < len(expr):
        m = _STEP.match(expr, pos)
        if not m:
            raise ValueError("bad path at %d: %s" % (pos, expr))
        key, idx, quoted = m.groups()
        if idx is not None:
            v = v[int(idx)]
        else:
            v = v[key if key is not None else json.loads('"%s"' % quoted)]
        pos = m.end()
    return v


def render(v, pystr=False):
    """How one value prints for the shell ("" for None)."""
    if v is None:
        return ""
    if pystr and isinstance(v, (bool, tuple)):
        return str(v)
    if isinstance(v, (dict, list, bool, tuple)):
        return json.dumps(v)
    return str(v)


def _print_exprs(doc, exprs, opts):
    for e in exprs:
        try:
            s = render(pick(doc, e, opts["bind"], opts["arg"]), opts["str"])
        except (KeyError, IndexError, TypeError, ValueError) as err:
            print("momapi: %s: %r" % (e, err), file=sys.stderr)
            return 1
        if s != "":
            print(s)
    return 0


def _body_arg(arg):
    if arg is not None and arg.startswith("@"):
        with open(arg[1:], "rb") as f:
            return f.read()
    return arg


def _cmd_json(opts, args):
    text = open(opts["file"]).read() if opts["file"] else sys.stdin.read()
    try:
        doc = json.loads(text)
    except ValueError as err:
        print("momapi: not JSON: %s" % err, file=sys.stderr)
        return 1
    return _print_exprs(doc, args, opts)


def _cmd_same(args):
    docs = []
    for a in args:
        text = _body_arg(a)
        try:
            docs.append(json.loads(text))
        except ValueError as err:
            print("momapi: not JSON: %s: %s" % (a[:40], err), file=sys.stderr)
            return 1
    return 0 if len(docs) == 2 and docs[0] == docs[1] else 1


def _cmd_batch(client):
    failed = 0
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line.strip():
            continue
        parts = line.split(" ", 2)
        method, path = parts[0], parts[1]
        rest = parts[2] if len(parts) > 2 else None
        has_body = method in ("POST", "PUT", "PATCH") and rest is not None
        status, data = client.request(method, path,
                                      _body_arg(rest) if has_body else None)
        failed |= status // 100 != 2
        if rest is None or has_body:
            print(status, data.decode(errors="replace").replace("\n", " "))
            continue
        try:
            doc = json.loads(data)
            vals = [render(pick(doc, e)) for e in rest.split()]
        except (KeyError, IndexError, TypeError, ValueError) as err:
            print("momapi: %s %s: %r" % (method, path, err), file=sys.stderr)
            return 1
        print(status, " ".join(vals))
    return int(failed)


def _cmd_request(client, opts, args):
    method, path = args[0], args[1]
    # Only POST, PUT and PATCH carry a body; after it (or after PATH) come
    # the EXPRs.
    has_body = method in ("POST", "PUT", "PATCH") and len(args) > 2
    body = _body_arg(args[2]) if has_body else None
    exprs = args[3:] if has_body else args[2:]
    status, data = client.request(method, path, body, opts["ctype"])
    if opts["status"]:
        print(status)
    if exprs:
        try:
            doc = json.loads(data)
        except ValueError:
            print("momapi: %s %s: %d, not JSON" % (method, path, status),
                  file=sys.stderr)
            return 1
        rc = _print_exprs(doc, exprs, opts)
        if rc:
            return rc
    else:
        sys.stdout.write(data.decode(errors="replace"))
        if data and not data.endswith(b"\n"):
            sys.stdout.write("\n")
    return 0 if status // 100 == 2 else 1


def main(argv):
    opts = {"socket": None, "url": None, "timeout": 30.0, "file": None,
            "bind": [], "arg": {}, "str": False, "status": False, "ctype":
            "application/json"}
    args = []
    it = iter(argv)
    for a in it:
        if a in ("--socket", "--url", "--timeout", "--file", "--ctype"):
            opts[a[2:]] = next(it, None)
        elif a == "--bind":
            opts["bind"].append(next(it, "a"))
        elif a == "--arg":
            name = next(it, "_")
            opts["arg"][name] = next(it, "")
        elif a in ("--str", "--status"):
            opts[a[2:]] = True
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            args.append(a)
    if args[:1] == ["json"]:
        return _cmd_json(opts, args[1:])
    if args[:1] == ["same"]:
        return _cmd_same(args[1:])
    if args[:1] == ["free-port"]:
        import socket

        kind = socket.SOCK_DGRAM if args[1:2] == ["udp"] else socket.SOCK_STREAM
        with socket.socket(socket.AF_INET, kind) as s:
            s.bind(("127.0.0.1", 0))
            print(s.getsockname()[1])
        return 0
    try:
        client = Client(opts["socket"], opts["url"], float(opts["timeout"]))
        if args[:1] == ["batch"]:
            return _cmd_batch(client)
        if len(args) < 2:
            print(__doc__, file=sys.stderr)
            return 2
        return _cmd_request(client, opts, args)
    except Exception as err:  # pylint: disable=broad-except
        # Unreachable or a broken answer: say so, exit 3; a bug in a
        # test's EXPR still shows its traceback.
        if not isinstance(err, (OSError, ValueError)) and \
                type(err).__module__ != "http.client":
            raise
        print("momapi: %s" % err, file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
