"""A server-rendered SVG bar chart of monthly charges and payments (no JavaScript needed)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM = 720, 240, 56, 28


@dataclass(frozen=True)
class Bar:
    """One bar: where it stands and how tall it is."""

    x: float
    y: float
    width: float
    height: float
    kind: str  # charge | payment


@dataclass(frozen=True)
class Chart:
    """Everything the template draws."""

    bars: list[Bar]
    labels: list[tuple[float, str]]
    ticks: list[tuple[float, Decimal]]
    width: int = WIDTH
    height: int = HEIGHT


def monthly(months: list[tuple[str, Decimal, Decimal]]) -> Chart | None:
    """Two bars a month (charges, payments), scaled to the largest; labels every third month."""
    if not months:
        return None
    top = max(max(c, p) for _, c, p in months) or Decimal(1)
    plot_w, plot_h = WIDTH - PAD_LEFT - 8, HEIGHT - PAD_BOTTOM - 10
    slot = plot_w / len(months)
    bar_w = max(slot * 0.38, 1.0)
    bars, labels = [], []
    for index, (period, charge, payment) in enumerate(months):
        left = PAD_LEFT + index * slot + slot * 0.1
        for offset, (kind, value) in enumerate((("charge", charge), ("payment", payment))):
            height = float(value / top) * plot_h
            bars.append(Bar(round(left + offset * bar_w, 1), round(10 + plot_h - height, 1),
                            round(bar_w, 1), round(height, 1), kind))
        if index % 3 == 0 or index == len(months) - 1:
            labels.append((round(left + bar_w, 1), f"{period[5:]}.{period[2:4]}"))
    ticks = [(round(10 + plot_h - plot_h * share, 1), (top * Decimal(share)).quantize(Decimal(1)))
             for share in (0, 0.5, 1)]
    return Chart(bars, labels, ticks)
