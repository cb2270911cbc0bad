#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# hostile_clients.py: hostile HTTP clients against momd, for
# tests/it/hostile_clients.sh.  Bounded in count and time, loopback only.
#
#   hostile_clients.py PORT UNIX_SOCKET SECONDS
#
# Opens at once:
#   slow:      200 TCP clients from 127.0.0.1 that send a request line and
#              then one header byte every 2 s, never finishing their
#              headers (slowloris);
#   half_open: 300 TCP clients from 127.0.0.3 that connect and send
#              nothing, half of them after closing their sending side
#              (shutdown(SHUT_WR));
#   unix_slow: 50 slow clients like the first on the unix socket.
# Then watches when the server closes each one, for at most SECONDS.
# Prints one JSON object per group: opened, refused (closed by the server
# within 1 s: over a connection limit), held (kept longer), the longest
# time one was held, and how many were still open at the end.
import json
import selectors
import socket
import sys
import time

port, unix_path, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
TRICKLE_S = 2.0
sel = selectors.DefaultSelector()
conns = []


def open_conn(group, family, addr, first=b"", half_close=False, src=None):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setblocking(False)
    try:
        if src:
            s.bind((src, 0))
        s.connect(addr)
    except (BlockingIOError, InterruptedError):
        pass
    except OSError:
        conns.append({"group": group, "t0": time.monotonic(), "closed": 0.0})
        s.close()
        return
    c = {"group": group, "s": s, "t0": time.monotonic(), "closed": None,
         "first": first, "half_close": half_close, "next": 0.0}
    conns.append(c)
    sel.register(s, selectors.EVENT_READ, c)


for _ in range(200):
    open_conn("slow", socket.AF_INET, ("127.0.0.1", port),
              b"GET /v1/status HTTP/1.1\r\nHost: momd\r\nX-Slow: ")
for i in range(300):
    open_conn("half_open", socket.AF_INET, ("127.0.0.1", port),
              half_close=bool(i % 2), src="127.0.0.3")
for _ in range(50):
    open_conn("unix_slow", socket.AF_UNIX, unix_path,
              b"GET /v1/status HTTP/1.1\r\nHost: momd\r\nX-Slow: ")


def close(c, now):
    if c["closed"] is None:
        c["closed"] = now - c["t0"]
        sel.unregister(c["s"])
        c["s"].close()


end = time.monotonic() + seconds
while time.monotonic() < end:
    now = time.monotonic()
    for c in conns:
        if c["closed"] is not None or now < c["next"]:
            continue
        try:
            if c["first"]:
                c["s"].send(c["first"])
                c["first"] = b""
                c["next"] = now + TRICKLE_S
            elif c["group"] != "half_open":
                c["s"].send(b"a")
                c["next"] = now + TRICKLE_S
            else:
                if c["half_close"]:
                    c["s"].shutdown(socket.SHUT_WR)
                c["next"] = end + 1
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:
            close(c, now)
    for key, _ in sel.select(timeout=0.1):
        c = key.data
        try:
            data = c["s"].recv(4096)
        except (BlockingIOError, InterruptedError):
            continue
        except OSError:
            data = b""
        if not data:
            close(c, time.monotonic())
    if all(c["closed"] is not None for c in conns):
        break

now = time.monotonic()
out = {}
for g in ("slow", "half_open", "unix_slow"):
    cs = [c for c in conns if c["group"] == g]
    held = [c["closed"] if c["closed"] is not None else now - c["t0"]
            for c in cs if c["closed"] is None or c["closed"] >= 1.0]
    out[g] = {
        "opened": len(cs),
        "refused": sum(1 for c in cs if c["closed"] is not None
                       and c["closed"] < 1.0),
        "held": len(held),
        "max_held_s": round(max(held), 2) if held else 0,
        "still_open": sum(1 for c in cs if c["closed"] is None),
    }
for c in conns:
    if c["closed"] is None:
        c["s"].close()
print(json.dumps(out))
