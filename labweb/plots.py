"""Small server-rendered SVG charts: no JavaScript, readable by screen readers through their table twin."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Bar:
    label: str
    value: int
    secondary: int
    href: str
    y: int
    width: float
    note: str = ""


@dataclass
class BarChart:
    bars: list[Bar]
    height: int
    plot_width: int
    label_width: int
    max_value: int
    ticks: list[tuple[float, int]]


def horizontal_bar_chart(rows: list[tuple[str, int, int, str]], *, plot_width: int = 560,
                         label_width: int = 300, row_height: int = 26) -> BarChart:
    """rows: (label, value, secondary value, link). Bar length follows value; zero rows are flagged."""
    max_value = max((value for _, value, _, _ in rows), default=0) or 1
    bars = [
        Bar(label=label, value=value, secondary=secondary, href=href, y=i * row_height,
            width=round(plot_width * value / max_value, 1), note="" if value else "nothing yet")
        for i, (label, value, secondary, href) in enumerate(rows)
    ]
    step = _nice_step(max_value)
    ticks = [(round(plot_width * v / max_value, 1), v) for v in range(0, max_value + 1, step)]
    return BarChart(bars=bars, height=max(len(rows), 1) * row_height, plot_width=plot_width,
                    label_width=label_width, max_value=max_value, ticks=ticks)


def _nice_step(max_value: int) -> int:
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if max_value / step <= 6:
            return step
    return max(1, max_value // 5)
