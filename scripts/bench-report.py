#!/usr/bin/env python3
"""Turns scripts/bench-engine.sh's results.jsonl into the Markdown table of docs/BENCHMARKS.md.

Usage: scripts/bench-report.py RESULTS.jsonl OUTPUT-DIR (OUTPUT-DIR holds replan-ms.txt, if any)
"""
import json, math, statistics, sys
from collections import defaultdict
rows = [json.loads(line) for line in open(sys.argv[1])]
out = sys.argv[2]
by = defaultdict(dict)
for row in rows:
    by[(row["tier"], row["seed"])][row["solver"]] = row
print("| tier | seed | FCFS score | Sasurai score | vs FCFS | upper bound | gap | placed | time | peak | moves/s | HiGHS | CP-SAT |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
def ref(entry):
    if not entry: return "-"
    text = f"{entry['score']:,}"
    bound = entry.get("bound")
    bound_text = f"bound {int(bound):,}" if isinstance(bound, (int, float)) and math.isfinite(bound) else "no bound"
    text += f" ({bound_text}, {entry['status']}, {entry['seconds']:.0f} s)"
    return text
for (tier, seed), entry in sorted(by.items(), key=lambda item: ("SML".index(item[0][0]), item[0][1])):
    ours, fcfs = entry.get("sasurai"), entry.get("fcfs")
    if not ours or not fcfs: continue
    gain = (ours["score"] / fcfs["score"] - 1) * 100 if fcfs["score"] else 0
    bound = ours.get("upper_bound")
    gap = f"{(bound - ours['score']) / bound * 100:.2f}%" if bound else "-"
    print(f"| {tier} | {seed} | {fcfs['score']:,} | {ours['score']:,} | +{gain:.1f}% | {bound:,} | {gap} | "
          f"{ours['placed']:,}/{ours['applications']:,} | {ours['seconds']:.2f} s | {ours['peak_mib']} MiB | "
          f"{int(ours['moves_per_second']):,} | {ref(entry.get('highs'))} | {ref(entry.get('cpsat'))} |")
try:
    times = [float(line) for line in open(f"{out}/replan-ms.txt") if line.strip()]
    if times:
        print(f"\nRe-planning after one cancellation on L: median {statistics.median(times):.1f} ms "
              f"over {len(times)} cancellations (each {', '.join(f'{t:.1f}' for t in times)} ms).")
except FileNotFoundError:
    pass
