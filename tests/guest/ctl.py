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
#       guest's clock, and a TCG guest on a busy host answers late).  Exit status 0 if every reply starts with "ok", 1 if one
#       starts with anything else (e.g. "err ..."), 2 on connect errors or
#       a timeout / closed channel (message on stderr).
import socket
import sys


def main(argv):
    timeout = 90.0
    if len(argv) > 2 and argv[1] == "-t":
        timeout = float(argv[2])
        argv = argv[:1] + argv[3:]
    if len(argv) < 3:
        print("usage: ctl.py [-t SECS] SOCKET CMD...", file=sys.stderr)
        return 2
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        s.settimeout(timeout)
        s.connect(argv[1])
        f = s.makefile("rw")
        rc = 0
        for cmd in argv[2:]:
            f.write(cmd + "\n")
            f.flush()
            line = f.readline()
            if not line:
                print("ctl.py: channel closed before a reply to '%s'" % cmd, file=sys.stderr)
                return 2
            line = line.rstrip("\r\n")
            print(line)
            if not line.startswith("ok"):
                rc = 1
        return rc
    except OSError as e:  # includes socket.timeout
        print("ctl.py: %s: %s" % (argv[1], e or "timeout"), file=sys.stderr)
        return 2
    finally:
        s.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
