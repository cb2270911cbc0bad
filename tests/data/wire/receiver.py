#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# receiver.py DIR [--port N] [--unix PATH] [--status CODE] [--delay SECS]:
# a minimal loopback HTTP receiver for the write plugin tests and for
# capturing stock write_http output.  Every POST body is saved as
# DIR/body-N.json and its request line and headers as DIR/head-N.txt
# (N counts from 1); the answer is CODE (default 200) after DELAY seconds.
# The bound TCP port is written to DIR/port once listening.
import http.server
import os
import socketserver
import sys
import threading
import time


def main():
    args = sys.argv[1:]
    out = args.pop(0)
    port, unix, status, delay = 0, None, 200, 0.0
    while args:
        opt, val = args.pop(0), args.pop(0)
        if opt == "--port":
            port = int(val)
        elif opt == "--unix":
            unix = val
        elif opt == "--status":
            status = int(val)
        elif opt == "--delay":
            delay = float(val)
        else:
            sys.exit("unknown option " + opt)
    lock = threading.Lock()
    count = [0]

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def address_string(self):
            return "local"

        def log_message(self, fmt, *a):
            pass

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            with lock:
                count[0] += 1
                i = count[0]
            with open(os.path.join(out, "head-%d.txt" % i), "w") as f:
                f.write(self.requestline + "\n" + str(self.headers))
            tmp = os.path.join(out, ".body-%d" % i)
            with open(tmp, "wb") as f:
                f.write(body)
            os.rename(tmp, os.path.join(out, "body-%d.json" % i))
            if delay:
                time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    if unix:
        class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
            daemon_threads = True
        if os.path.exists(unix):
            os.unlink(unix)
        srv = Server(unix, Handler)
    else:
        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
        srv = Server(("127.0.0.1", port), Handler)
        with open(os.path.join(out, ".port"), "w") as f:
            f.write(str(srv.server_address[1]))
        os.rename(os.path.join(out, ".port"), os.path.join(out, "port"))
    srv.serve_forever()


main()
