"""Records/s per peer per size as a grouped bar chart (run with the peers venv's python: it has matplotlib).

bench/.venv-peers/bin/python bench/plot.py RESULTS.json OUT.png
"""

from __future__ import annotations

import json
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def main(results_path: str, out_path: str) -> int:
    with open(results_path) as fh:
        doc = json.load(fh)
    cells = [c for c in doc["throughput"] if c["rate"]]
    sizes = sorted({(c["rows"], c["cols"]) for c in doc["throughput"]})
    peers = [p for p in doc["peers"] if any(c["peer"] == p["key"] for c in cells)]
    width = 0.8 / max(1, len(peers))
    fig, ax = plt.subplots(figsize=(11, 5.5))
    for i, peer in enumerate(peers):
        xs, ys = [], []
        for j, size in enumerate(sizes):
            for c in cells:
                if c["peer"] == peer["key"] and (c["rows"], c["cols"]) == tuple(size):
                    xs.append(j + (i - (len(peers) - 1) / 2) * width)
                    ys.append(c["rate"])
        hatch = "//" if peer["key"] == "floor" else None
        edge = "black" if peer["key"] == "connector" else None
        ax.bar(xs, ys, width, label=peer["label"], hatch=hatch, edgecolor=edge, linewidth=1.5 if edge else 0)
    ax.set_yscale("log")
    ax.set_xticks(range(len(sizes)))
    ax.set_xticklabels([f"{r:,} rows\n× {c} columns" for r, c in sizes])
    ax.set_ylabel("records/s (median, log scale)")
    ax.set_title(f"Athena → JSON lines on the local stand-in ({doc['machine']}, {doc['date']})")
    ax.grid(axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(out_path, dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
