#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# prometheus_doc.py README METRICS: README.md's table of momd's own metrics
# (section "### momd's own metrics") lists exactly the families an
# exposition of GET /metrics (the file METRICS) has.  A README row is
#
#   | `momd_x` | TYPE | LABELS | meaning |
#
# LABELS is empty, or label names in backquotes separated by commas; a
# name may be followed by "= `v1`, `v2`, ..." (then the last label of the
# row), the values it takes.  The exposition's families are its "# TYPE"
# lines, their labels those of their samples.  Compared: the names (each
# way), the type, the label names and, where README gives them, the label
# values.  Prints one "FAIL name: why" line per difference, or "PASS n
# families"; exits 1 on a difference, on a family documented twice, or
# when no row is found (a renamed heading must not pass as an empty table).
import re
import sys

SECTION = "### momd's own metrics"
ROW = re.compile(r"^\| `(momd_[a-z_]*)` \| ([a-z]*) \|([^|]*)\|")
LABEL = re.compile(r"`([a-z_]+)`(\s*=\s*(`[a-z_]+`(\s*,\s*`[a-z_]+`)*))?")
TYPE = re.compile(r"^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) ([a-z]+)$")
SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? ")
PAIR = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def documented(path, fail):
    """name -> (type, {label: set of values or None}, line number)."""
    rows, inside = {}, False
    for n, line in enumerate(open(path, encoding="utf-8"), 1):
        if line.startswith("### "):
            inside = line.startswith(SECTION)
            continue
        m = ROW.match(line) if inside else None
        if not m:
            continue
        labels = {}
        for lm in LABEL.finditer(m.group(3)):
            values = lm.group(3)
            labels[lm.group(1)] = (set(re.findall(r"`([a-z_]+)`", values))
                                   if values else None)
        if m.group(1) in rows:
            fail(m.group(1), "documented twice (README lines %d and %d)" %
                 (rows[m.group(1)][2], n))
        rows[m.group(1)] = (m.group(2), labels, n)
    return rows


def served(path, fail):
    """name -> (type, {label: set of values})."""
    fams = {}
    for line in open(path, encoding="utf-8"):
        m = TYPE.match(line)
        if m:
            fams[m.group(1)] = (m.group(2), {})
            continue
        m = SAMPLE.match(line)
        if not m or line.startswith("#"):
            continue
        if m.group(1) not in fams:
            fail(m.group(1), "a sample without its # TYPE line")
            continue
        for k, v in PAIR.findall(m.group(3) or ""):
            fams[m.group(1)][1].setdefault(k, set()).add(v)
    return fams


def main(readme, metrics):
    bad = []

    def fail(name, why):
        bad.append("FAIL %s: %s" % (name, why))

    doc, have = documented(readme, fail), served(metrics, fail)
    if not doc:
        fail("README", "no row in section \"%s\"" % SECTION)
    for name in sorted(set(have) - set(doc)):
        fail(name, "served (%s), not in README's table" % have[name][0])
    for name in sorted(set(doc) - set(have)):
        fail(name, "in README's table (line %d), not served" % doc[name][2])
    for name in sorted(set(doc) & set(have)):
        (dtype, dlabels, line), (stype, slabels) = doc[name], have[name]
        if dtype != stype:
            fail(name, "README line %d says %s, served as %s" %
                 (line, dtype, stype))
        if set(dlabels) != set(slabels):
            fail(name, "README line %d has labels %s, served with %s" %
                 (line, sorted(dlabels), sorted(slabels)))
            continue
        for k, values in dlabels.items():
            if values is not None and values != slabels[k]:
                fail(name, "README line %d: %s takes %s, served %s" %
                     (line, k, sorted(values), sorted(slabels[k])))
    for b in bad:
        print(b)
    if not bad:
        print("PASS %d families" % len(doc))
    return 1 if bad else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: prometheus_doc.py README METRICS")
    sys.exit(main(sys.argv[1], sys.argv[2]))
