"""Small bar charts of a figure over the years, drawn on the server as SVG (no script, so the CSP stays as it is).

Only the geometry is made here; templates/reports/_figures.html writes the SVG with its <title> and <desc>, and
the figures' table beside each chart holds the same numbers for those who do not see it.
"""

from dataclasses import dataclass

WIDTH = 120
HEIGHT = 36
GAP = 4


@dataclass(frozen=True)
class Bar:
    year: int
    value: float | None
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    bars: tuple
    width: int
    height: int


def bar_chart(points, width=WIDTH, height=HEIGHT, gap=GAP):
    """Bars for [(year, value)], the largest value reaching the top; a year without a value has no bar, a zero a
    bar of no height (the baseline shows it)."""
    known = [value for _, value in points if value is not None]
    top = max(known, default=0)
    bar_width = (width - gap * (len(points) - 1)) / len(points) if points else 0
    bars = []
    for index, (year, value) in enumerate(points):
        tall = 0 if not value or top <= 0 else round(height * max(value, 0) / top, 1)
        bars.append(Bar(year, value, round(index * (bar_width + gap), 1), round(height - tall, 1),
                        round(bar_width, 1), tall))
    return Chart(tuple(bars), width, height)
