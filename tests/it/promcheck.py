#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# promcheck.py: a strict checker of the Prometheus text exposition format
# 0.0.4, for tests/it/prometheus.sh where promtool (Debian's 96 MB
# prometheus package) is not installed.  Reads stdin; prints one line per
# problem and exits 1 when there is any, 0 otherwise.  Checks what promtool's
# parser and linter check for our output: line syntax, metric and label
# names, label value escapes, float values, one HELP and one TYPE per family
# before its samples, samples only of declared families, no family split in
# two, no duplicate series, counters named *_total, a final newline, and a
# non-empty body.
import re
import sys

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r"[a-zA-Z_][a-zA-Z0-9_]*"
VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r"^(%s)(\{(?:%s=%s(?:,%s=%s)*,?)?\})? (\S+)( -?\d+)?$" % (
    NAME, LABEL, VALUE, LABEL, VALUE))
FLOAT = re.compile(r"^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|Inf|NaN)$")


def main():
    text = sys.stdin.read()
    errs = []
    if not text:
        errs.append("empty body")
    elif not text.endswith("\n"):
        errs.append("no final newline")
    helps, types, done, seen, current = set(), {}, set(), set(), None
    for n, line in enumerate(text.splitlines(), 1):
        where = "line %d" % n
        if line.startswith("#"):
            m = re.match(r"^# (HELP|TYPE) (%s) (.+)$" % NAME, line)
            if not m:
                errs.append("%s: bad comment %r" % (where, line))
                continue
            kind, name, rest = m.groups()
            if name != current:
                if current:
                    done.add(current)
                if name in done:
                    errs.append("%s: family %s split in two" % (where, name))
                current = name
            if kind == "HELP":
                if name in helps:
                    errs.append("%s: second HELP for %s" % (where, name))
                helps.add(name)
            else:
                if name in types:
                    errs.append("%s: second TYPE for %s" % (where, name))
                if rest not in ("counter", "gauge", "histogram", "summary", "untyped"):
                    errs.append("%s: bad type %s" % (where, rest))
                types[name] = rest
                if rest == "counter" and not name.endswith("_total"):
                    errs.append("%s: counter %s does not end in _total" % (where, name))
                if rest != "counter" and name.endswith("_total"):
                    errs.append("%s: non-counter %s ends in _total" % (where, name))
            continue
        m = SAMPLE.match(line)
        if not m:
            errs.append("%s: not a sample %r" % (where, line))
            continue
        name, labels, value = m.group(1), m.group(2) or "", m.group(3)
        if name != current or name not in types or name not in helps:
            errs.append("%s: sample of %s outside its family (HELP and TYPE first)" % (where, name))
        if not FLOAT.match(value):
            errs.append("%s: bad value %r" % (where, value))
        keys = re.findall(r"(%s)=" % LABEL, re.sub(VALUE, '""', labels))
        if len(keys) != len(set(keys)):
            errs.append("%s: duplicate label" % where)
        if (name, labels) in seen:
            errs.append("%s: duplicate series %s%s" % (where, name, labels))
        seen.add((name, labels))
    for e in errs:
        print(e)
    sys.exit(1 if errs else 0)


main()
