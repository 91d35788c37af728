#!/usr/bin/env python3
"""Counts three architecture smells in Comx.Core at a git revision (default: the working tree):
service-locator uses in handlers (`context.Service<`), anonymous event payloads (anonymous objects given as event
data at raise sites and samples), and cycles between Comx.Core's feature namespaces (strongly connected components of
the namespace dependency graph, from `using` directives and qualified references).
Usage: tools/architecture-counts.py [git-ref]"""
import re
import subprocess
import sys

ref = sys.argv[1] if len(sys.argv) > 1 else None


def files():
    if ref:
        names = subprocess.run(["git", "ls-tree", "-r", "--name-only", ref, "Comx.Core"], capture_output=True, text=True, check=True).stdout.split()
        return {n: subprocess.run(["git", "show", f"{ref}:{n}"], capture_output=True, text=True, check=True).stdout for n in names if n.endswith(".cs")}
    names = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "Comx.Core"], capture_output=True, text=True, check=True).stdout.split()
    return {n: open(n, encoding="utf-8").read() for n in names if n.endswith(".cs")}


sources = files()
service_locator = sum(len(re.findall(r"context\.Service<", text)) for text in sources.values())

# Anonymous event data: `new {` as an argument of an event constructor, a variable later passed as event data, or a sample.
anonymous = 0
for name, text in sources.items():
    for call in re.finditer(r"new OutboxEvent\(|EventRecord\.Create\(", text):
        depth, i = 0, call.end() - 1
        while i < len(text):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                break
            i += 1
        args = text[call.end():i]
        if re.search(r"\bnew\s*\{", args):
            anonymous += 1
        else:
            for var in re.findall(r",\s*(\w+)\)\s*$", args):
                if re.search(rf"var {var} = new\s*\{{", text):
                    anonymous += 1
    if name.endswith("WebhookSamples.cs"):
        anonymous += len(re.findall(r"\] = new\s*\{", text))

features = sorted({n.split("/")[1] for n in sources if n.count("/") >= 2})
graph = {f: set() for f in features}
pattern = re.compile(r"(?:using Comx\.Core\.(%s)\b|(?<![\w.])(?:Comx\.Core\.)?(%s)\.[A-Z])" % ("|".join(features), "|".join(features)))
for name, text in sources.items():
    if name.count("/") < 2:
        continue
    own = name.split("/")[1]
    for m in pattern.finditer(text):
        target = m.group(1) or m.group(2)
        if target != own:
            graph[own].add(target)

index, low, stack, on, sccs, counter = {}, {}, [], set(), [], [0]


def strong(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in graph[v]:
        if w not in index:
            strong(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        component = []
        while True:
            w = stack.pop()
            on.discard(w)
            component.append(w)
            if w == v:
                break
        if len(component) > 1:
            sccs.append(sorted(component))


for f in features:
    if f not in index:
        strong(f)
pairs = sorted({tuple(sorted((a, b))) for a in graph for b in graph[a] if a in graph.get(b, set())})
print(f"revision: {ref or 'working tree'}")
print(f"service-locator uses (context.Service<): {service_locator}")
print(f"anonymous event payloads: {anonymous}")
print(f"namespace cycles: {len(sccs)} strongly connected groups {sccs}; {len(pairs)} mutually dependent pairs {pairs}")
