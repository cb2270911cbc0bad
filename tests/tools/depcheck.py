#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""depcheck.py: dependency circles and layer violations between our C files.

    python3 tests/tools/depcheck.py [BUILD]     (after make; BUILD=build)

A module is a .c file with the .h of the same name.  Two graphs:
  - includes: module A -> B when a file of A includes B's header;
  - calls: A -> B when A's object has an undefined symbol B's object
    defines (nm of build/actuator/*.o and build/collectd-plugin/*.o).
Prints every circle (strongly connected component of more than one module)
of each graph, then the layer violations: a core module (a member of
libmomcore.a) calling outside the core, a plugin module calling a member of
libmomd.a that the read plugin does not compile in too.  Exits 1 when there is any, else 0.  Standard library only.
"""
import collections
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, 'build'))
DIRS = ('actuator', 'collectd-plugin')


def module(path):
    rel = os.path.relpath(path, ROOT)
    return re.sub(r'\.[cho]$', '', rel)


def include_graph():
    files = [f for d in DIRS for f in glob.glob(os.path.join(ROOT, d, '*.[ch]'))]
    by_name = {os.path.basename(f): f for f in files}
    graph = collections.defaultdict(set)
    for f in files:
        with open(f, errors='replace') as fh:
            for line in fh:
                m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                if not m or os.path.basename(m.group(1)) not in by_name:
                    continue
                a, b = module(f), module(by_name[os.path.basename(m.group(1))])
                if a != b:
                    graph[a].add(b)
    return graph


def call_graph():
    defined, undefined = {}, collections.defaultdict(set)
    for d in DIRS:
        for obj in glob.glob(os.path.join(BUILD, d, '*.o')):
            mod = d + '/' + os.path.basename(obj)[:-2]
            out = subprocess.run(['nm', obj], capture_output=True, text=True,
                                 check=True).stdout
            for line in out.splitlines():
                p = line.split()
                if len(p) == 2 and p[0] == 'U':
                    undefined[mod].add(p[1])
                elif len(p) == 3 and p[1] in 'TDBRC':
                    defined[p[2]] = mod
    graph = collections.defaultdict(set)
    for mod, syms in undefined.items():
        for s in syms:
            if s in defined and defined[s] != mod:
                graph[mod].add(defined[s])
    return graph


def circles(graph):
    """Tarjan's strongly connected components of more than one node."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    nodes = set(graph) | {w for ws in graph.values() for w in ws}
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return out


def members(archive):
    out = subprocess.run(['ar', 't', archive], capture_output=True, text=True).stdout
    return {'actuator/' + x[:-2] for x in out.split()}


def main():
    if not glob.glob(os.path.join(BUILD, 'actuator', '*.o')):
        print(f'depcheck: no objects in {BUILD}: run make first', file=sys.stderr)
        return 2
    problems = 0
    calls = call_graph()
    for name, graph in (('include', include_graph()), ('call', calls)):
        found = circles(graph)
        problems += len(found)
        print(f'{name} circles: {len(found)}')
        for c in found:
            print('   ' + ' <-> '.join(c))
    core = members(os.path.join(BUILD, 'libmomcore.a'))
    # A module compiled into the read plugin as well (domxml.c) is shared,
    # not momd's.
    momd = members(os.path.join(BUILD, 'libmomd.a')) - \
        members(os.path.join(BUILD, 'libmomplugin.a'))
    bad = []
    for mod, targets in sorted(calls.items()):
        for t in sorted(targets):
            if mod in core and t not in core:
                bad.append(f'core {mod} calls {t}')
            if mod.startswith('collectd-plugin/') and t in momd:
                bad.append(f'plugin {mod} calls momd {t}')
    problems += len(bad)
    print(f'layer violations: {len(bad)}')
    for b in bad:
        print('   ' + b)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
