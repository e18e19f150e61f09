"""Server-rendered SVG bar charts (no JavaScript needed); each page also shows the figures
as a table."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

# Room on the left and below for labels that a phone enlarges (CSS ``.chart-text``).
WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 720, 240, 80, 36, 22
LABEL_ROOM = 72  # a label like 11.26 at the phone's font size, in chart units


@dataclass(frozen=True)
class Bar:
    """One bar: where it stands and how tall it is."""

    x: float
    y: float
    width: float
    height: float
    kind: str  # charge | payment | consumption (the CSS class ``bar-<kind>``)


@dataclass(frozen=True)
class Chart:
    """Everything the template draws."""

    bars: list[Bar]
    labels: list[tuple[float, str]]
    ticks: list[tuple[float, Decimal]]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = PAD_LEFT


def grouped(points: list[tuple[str, tuple[Decimal, ...]]], kinds: tuple[str, ...],
            label_every: int | None = None) -> Chart | None:
    """One group of bars per point (one bar per kind), scaled to the largest value; a label
    on the last point and every ``label_every`` points before it (by default as often as a
    label of five characters fits, drawn at the phone's size)."""
    if not points:
        return None
    top = max(max(values) for _, values in points)
    top = top if top > 0 else Decimal(1)
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_BOTTOM - PAD_TOP
    slot = plot_w / len(points)
    every = label_every or max(1, math.ceil(LABEL_ROOM / slot))
    bar_w = max(slot * 0.76 / len(kinds), 1.0)
    bars, labels = [], []
    for index, (label, values) in enumerate(points):
        left = PAD_LEFT + index * slot + slot * 0.1
        for offset, (kind, value) in enumerate(zip(kinds, values, strict=True)):
            height = float(max(value, Decimal(0)) / top) * plot_h
            bars.append(Bar(round(left + offset * bar_w, 1), round(PAD_TOP + plot_h - height, 1),
                            round(bar_w, 1), round(height, 1), kind))
        if (len(points) - 1 - index) % every == 0:
            labels.append((round(left + bar_w * len(kinds) / 2, 1), label))
    step = Decimal(1) if top >= 10 else Decimal("0.01")
    ticks = [(round(PAD_TOP + plot_h - plot_h * share, 1), (top * Decimal(share)).quantize(step))
             for share in (0, 0.5, 1)]
    return Chart(bars, labels, ticks)


def monthly(months: list[tuple[str, Decimal, Decimal]]) -> Chart | None:
    """Two bars a month (charges, payments)."""
    return grouped([(f"{period[5:]}.{period[2:4]}", (charge, payment))
                    for period, charge, payment in months], ("charge", "payment"))
