#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# metrics_doc.py: the series README.md "Metrics" documents, as a list that
# tests can use (tests/it/graphite_influx.sh, tests/it/dashboards.sh).
# Reads the tables "### Host", "### Guests" and "### Decisions of the
# actuator" and prints one series per line:
#
#   SCOPE TYPE TYPE_INSTANCE DS
#
# SCOPE is host or guest, TYPE_INSTANCE "-" when empty, DS the data source
# for multi-value types ("-" otherwise).  The README abbreviates siblings
# (`percent-pressure_some_avg10`, `_some_avg60`; `total_time_in_ms-
# pressure_some`, `-pressure_full`) and lists data sources as "(DS `in`,
# `out`)": both are expanded here.  Usage: metrics_doc.py README.md
import re
import sys


def expand(cell):
    """The identifiers of one table cell, siblings and data sources expanded."""
    out, prev = [], None
    ds_part = re.search(r"\(DS ([^;)]*)", cell)
    ds = re.findall(r"`([a-z_]+)`", ds_part.group(1)) if ds_part else []
    head = cell[:ds_part.start()] if ds_part else cell
    for tok in re.findall(r"`([^`]+)`", head):
        if not re.fullmatch(r"[a-z_]*-?[a-z0-9_]+", tok):
            continue  # a header such as `mom-<domain>/…`
        if tok.startswith("-") and prev:
            tok = prev[:prev.rindex("-")] + tok
        elif tok.startswith("_") and prev:
            n = tok.count("_")
            tok = "_".join(prev.split("_")[:-n]) + tok
        prev = tok
        out.append(tok)
    return [(t, d) for t in out for d in (ds or [None])]


def series(readme):
    text = open(readme).read()
    sec = text[text.index("\n## Metrics"):]
    sec = sec[:sec.index("\n## ", 5)]
    found = []
    for name, scope_col in (("### Host", None), ("### Guests", None),
                            ("### Decisions of the actuator", 0)):
        part = sec[sec.index(name):]
        part = part[:part.index("\n### ", 5)] if "\n### " in part[5:] else part
        for line in part.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) < 3 or not line.startswith("|") or set(cells[0]) <= set("-"):
                continue
            if scope_col is None:
                scope, cell = ("host" if name == "### Host" else "guest"), cells[1]
            else:
                scope, cell = cells[0], cells[1]
            if scope not in ("host", "guest") or "derived" in cell:
                continue
            for ident, ds in expand(cell):
                typ, _, tinst = ident.partition("-")
                found.append((scope, typ, tinst or "-", ds or "-"))
    return found


for s in series(sys.argv[1]):
    print(" ".join(s))
