#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# ctl.py: host-side client of the test guest's control channel (the
# virtio-serial port org.test.ctl, a unix socket on the host; protocol in
# tests/guest/init.sh).
#
#   ctl.py [-t SECS] SOCKET CMD...
#       send each CMD as one line, print the guest's one-line reply to each.
#       -t: per-reply timeout (default 90 s: "hog" waits up to 60 s of the
#       guest's clock, and a TCG guest on a busy host answers late).  Exit
#       status 0 if every reply starts with "ok", 1 if one starts with
#       anything else (e.g. "err ..."), 2 on connect errors or a timeout /
#       closed channel (message on stderr).
#
# The handshake: a line sent right after connecting can be lost.  The
# guest serves one host connection at a time and reopens its port after the
# previous client's hang-up; when it sees that hang-up late, after this
# client has connected and written, it closes the port with our line in its
# buffers, which the guest's virtio-console driver discards.  So before any
# command the client sends "ping NONCE" every few seconds until the guest
# answers "ok pong NONCE"; a ping does nothing, so sending it twice is
# harmless, and once one is answered the guest is reading this connection
# and no later line is lost.  Each command is then sent exactly once.
import os
import select
import socket
import sys
import time

PING_EVERY = 5.0


class Channel:
    def __init__(self, path, timeout):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        self.sock.connect(path)
        self.buf = b""

    def send(self, line):
        self.sock.sendall(line.encode() + b"\n")

    def readline(self, deadline):
        """The next line, None when the peer closed, TimeoutError past
        the deadline (monotonic)."""
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("timed out")
            ready, _, _ = select.select([self.sock], [], [], left)
            if not ready:
                continue
            data = self.sock.recv(4096)
            if not data:
                return None
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode(errors="replace").rstrip("\r")

    def handshake(self, timeout):
        end = time.monotonic() + timeout
        n = 0
        while True:
            n += 1
            nonce = "%d.%d" % (os.getpid(), n)
            self.send("ping " + nonce)
            until = min(end, time.monotonic() + PING_EVERY)
            while True:
                try:
                    line = self.readline(until)
                except TimeoutError:
                    if time.monotonic() >= end:
                        raise
                    break  # ping again
                if line is None:
                    raise ConnectionError("channel closed during the handshake")
                if line == "ok pong " + nonce:
                    return
                # an answer to an earlier ping of ours: keep reading


def main(argv):
    timeout = 90.0
    if len(argv) > 2 and argv[1] == "-t":
        timeout = float(argv[2])
        argv = argv[:1] + argv[3:]
    if len(argv) < 3:
        print("usage: ctl.py [-t SECS] SOCKET CMD...", file=sys.stderr)
        return 2
    ch = None
    try:
        ch = Channel(argv[1], timeout)
        ch.handshake(timeout)
        rc = 0
        for cmd in argv[2:]:
            ch.send(cmd)
            line = ch.readline(time.monotonic() + timeout)
            if line is None:
                print("ctl.py: channel closed before a reply to '%s'" % cmd, file=sys.stderr)
                return 2
            print(line)
            if not line.startswith("ok"):
                rc = 1
        return rc
    except (OSError, TimeoutError) as e:  # includes socket.timeout
        print("ctl.py: %s: %s" % (argv[1], e or "timeout"), file=sys.stderr)
        return 2
    finally:
        if ch is not None:
            ch.sock.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
