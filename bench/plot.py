"""Records/s per peer per size as a grouped bar chart (run with the peers venv's python: it has matplotlib).

bench/.venv-peers/bin/python bench/plot.py RESULTS.json OUT.png

The bars' places and styles come from bench/plot_bars.py (standard library only, so the peers venv can import it
from this checkout): a baseline reader's bar stands beside the connector's, lighter and dotted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's ``bench`` package
matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bench import plot_bars


def main(results_path: str, out_path: str) -> int:
    with open(results_path) as fh:
        doc = json.load(fh)
    sizes = plot_bars.sizes(doc)
    width = plot_bars.bar_width(doc)
    fig, ax = plt.subplots(figsize=(11, 5.5))
    for s in plot_bars.series(doc):
        ax.bar(
            s.xs,
            s.heights,
            width,
            label=s.label,
            color=s.color,
            hatch=s.hatch,
            edgecolor=s.edgecolor,
            linewidth=s.linewidth,
        )
    ax.set_yscale("log")
    ax.set_xticks(range(len(sizes)))
    ax.set_xticklabels([f"{r:,} rows\n× {c} columns" for r, c in sizes])
    ax.set_ylabel("records/s (median, log scale)")
    title = f"Athena → JSON lines on the local stand-in ({doc['machine']}, {doc['date']})"
    if doc.get("baseline"):
        title += f"\nconnector at {doc.get('connector_revision', '?')} vs baseline at {doc['baseline']['revision']}"
    ax.set_title(title)
    ax.grid(axis="y", which="both", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    fig.savefig(out_path, dpi=110)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
