"""Where each bar of the throughput plot goes and how it looks, apart from matplotlib (standard library only).

Why apart: bench/plot.py draws in the peers venv (matplotlib lives there, not in the project's venv); the layout,
the baseline's bar beside the connector's in a lighter shade of the same colour, is tested in the project's venv.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CONNECTOR_COLOR = "#1f77b4"  # matplotlib's tab:blue (tab10), the connector's colour since the first plot
BASELINE_COLOR = "#aec7e8"  # tab20's light blue: the same colour family, lighter
# The rest of tab10 in its order, so that without a baseline every reader keeps the colour it always had.
OTHER_COLORS = ("#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
GROUP_WIDTH = 0.8


@dataclass(frozen=True)
class Series:
    """One reader's bars: x positions (one per size it has a rate at), heights and style."""

    key: str
    label: str
    xs: list[float]
    heights: list[float]
    color: str
    hatch: str | None
    edgecolor: str | None
    linewidth: float


def sizes(doc: dict[str, Any]) -> list[tuple[int, int]]:
    """The (rows, cols) groups along the x axis, in order."""
    return sorted({(c["rows"], c["cols"]) for c in doc["throughput"]})


def _style(key: str, others: int) -> tuple[str, str | None, str | None, float]:
    """Colour, hatch, edge colour and edge width of a reader's bars."""
    if key == "connector":
        return CONNECTOR_COLOR, None, "black", 1.5
    if key == "baseline":
        return BASELINE_COLOR, "..", CONNECTOR_COLOR, 1.5
    return OTHER_COLORS[others % len(OTHER_COLORS)], "//" if key == "floor" else None, None, 0.0


def series(doc: dict[str, Any]) -> list[Series]:
    """One Series per reader with at least one rate, in the run's reader order (the baseline after the
    connector), each size's bars side by side."""
    cells = [c for c in doc["throughput"] if c["rate"]]
    groups = sizes(doc)
    peers = [p for p in doc["peers"] if any(c["peer"] == p["key"] for c in cells)]
    width = GROUP_WIDTH / max(1, len(peers))
    out, others = [], 0
    for i, peer in enumerate(peers):
        offset = (i - (len(peers) - 1) / 2) * width
        mine = {(c["rows"], c["cols"]): c["rate"] for c in cells if c["peer"] == peer["key"]}
        placed = [(j + offset, mine[size]) for j, size in enumerate(groups) if size in mine]
        color, hatch, edge, linewidth = _style(peer["key"], others)
        others += peer["key"] not in ("connector", "baseline")
        out.append(
            Series(
                peer["key"],
                peer["label"],
                [x for x, _ in placed],
                [h for _, h in placed],
                color,
                hatch,
                edge,
                linewidth,
            )
        )
    return out


def bar_width(doc: dict[str, Any]) -> float:
    """Width of one bar: the group's width shared by the readers that have a rate."""
    return GROUP_WIDTH / max(1, len(series(doc)))
