#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# metrics_doc.py README METRIC_DOC [--write]: README.md's metric tables are
# the metric contract (actuator/metric_rows.h) as build/tests/metric_doc
# prints it.  Each table sits between the lines
#
#   <!-- metric_doc --table NAME ... -->
#   <!-- end metric_doc -->
#
# and must equal `METRIC_DOC --table NAME` exactly.  Prints one line per
# table, "PASS NAME" or "FAIL NAME: first differing line"; with --write it
# rewrites the tables in place instead (REGENERATE=1 in metrics_doc.sh).
# Exits 1 when a table differs or no table is found.
import subprocess
import sys

BEGIN, END = "<!-- metric_doc --table ", "<!-- end metric_doc -->"


def generated(tool, name):
    return subprocess.run([tool, "--table", name], check=True,
                          capture_output=True, text=True).stdout.splitlines()


def main(readme, tool, write):
    lines = open(readme, encoding="utf-8").read().split("\n")
    out, i, bad, found = [], 0, 0, 0
    while i < len(lines):
        out.append(lines[i])
        if not lines[i].startswith(BEGIN):
            i += 1
            continue
        found += 1
        name = lines[i][len(BEGIN):].split()[0]
        j = i + 1
        while j < len(lines) and lines[j] != END:
            j += 1
        if j == len(lines):
            print("FAIL %s: no %s after line %d" % (name, END, i + 1))
            return 1
        have, want = lines[i + 1:j], generated(tool, name)
        if have == want:
            print("PASS %s" % name)
        else:
            bad += 1
            k = next((k for k in range(max(len(have), len(want)))
                      if k >= len(have) or k >= len(want) or have[k] != want[k]))
            print("FAIL %s: line %d is %r, the contract says %r" % (
                name, i + 2 + k, have[k] if k < len(have) else None,
                want[k] if k < len(want) else None))
        out.extend(want if write else have)
        i = j
    if write:
        open(readme, "w", encoding="utf-8").write("\n".join(out))
        return 0
    return 1 if bad or not found else 0


sys.exit(main(sys.argv[1], sys.argv[2], "--write" in sys.argv[3:]))
