#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# capture.sh: regenerate the write_http-*.json fixtures from the real thing.
# Runs Debian's collectd with stock write_http (Format "JSON", StoreRates
# false, WriteThreads 1 so the order is the PUTVAL order) pointed at
# receiver.py, feeds each write_http-NAME.putval through the unixsock
# plugin, FLUSHes, and saves the POSTed body as write_http-NAME.json.
# Usage: bash tests/data/wire/capture.sh   (from the repository root)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d /tmp/wirecap.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$tmp/rx"
python3 "$here/receiver.py" "$tmp/rx" &
pids+=($!)
for _ in $(seq 50); do [ -f "$tmp/rx/port" ] && break; sleep 0.1; done
cat >"$tmp/cd.conf" <<CONF
Hostname "testhost"
FQDNLookup false
BaseDir "$tmp"
TypesDB "/usr/share/collectd/types.db"
Interval 1
WriteThreads 1
PluginDir "/usr/lib/collectd"
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "$tmp/cd.sock"
  SocketGroup "root"
</Plugin>
LoadPlugin write_http
<Plugin write_http>
  <Node "cap">
    URL "http://127.0.0.1:$(cat "$tmp/rx/port")/v1/metrics"
    Format "JSON"
    StoreRates false
  </Node>
</Plugin>
CONF
collectd -f -C "$tmp/cd.conf" >"$tmp/cd.out" 2>&1 &
pids+=($!)
for _ in $(seq 50); do [ -S "$tmp/cd.sock" ] && break; sleep 0.1; done
n=0
for input in "$here"/write_http-*.putval; do
	name=$(basename "$input" .putval)
	n=$((n + 1))
	# PUTVAL every line, then FLUSH until the body arrives.
	python3 - "$tmp/cd.sock" "$input" "$tmp/rx/body-$n.json" <<'PY'
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rwb")
def cmd(line):
    f.write(line + b"\n"); f.flush()
    reply = f.readline()
    if not reply.startswith(b"0 "):
        sys.exit("collectd: %r -> %r" % (line, reply))
for line in open(sys.argv[2], "rb").read().split(b"\n"):
    if line and not line.startswith(b"FLUSH"):
        cmd(line)
# PUTVAL returns once queued; give the write thread a moment so a single
# FLUSH sends every value in one body (a regeneration tool, not a test).
time.sleep(1)
deadline = time.time() + 10
while not os.path.exists(sys.argv[3]):
    if time.time() > deadline:
        sys.exit("no body from write_http")
    cmd(b"FLUSH")
    time.sleep(0.2)
PY
	cp "$tmp/rx/body-$n.json" "$here/$name.json"
	echo "captured $name.json"
done
