"""Daily stacked bars (passing / failing) as plain geometry for an inline SVG."""

from dataclasses import dataclass, field
from datetime import date, timedelta

WIDTH, HEIGHT = 640, 200
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 44, 6, 10, 26


@dataclass
class StackedBar:
    x: float
    width: float
    good_y: float
    good_h: float
    bad_y: float
    bad_h: float
    good: int
    bad: int
    label: str
    tick: str


@dataclass
class StackedChart:
    bars: list[StackedBar]
    gridlines: list[tuple[float, int]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = PAD_LEFT
    baseline: float = HEIGHT - PAD_BOTTOM

    @property
    def total_good(self) -> int:
        return sum(b.good for b in self.bars)

    @property
    def total_bad(self) -> int:
        return sum(b.bad for b in self.bars)


def _nice_max(value: int) -> int:
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m >= max(value, 1):
                return step * m
        step *= 10


def daily_stacked(series: dict[date, tuple[int, int]], *, end: date, days: int = 30):
    """One bar per day of the `days` up to `end`: (good, bad) counts stacked."""
    start = end - timedelta(days=days - 1)
    values = [
        (start + timedelta(days=i), *series.get(start + timedelta(days=i), (0, 0)))
        for i in range(days)
    ]
    top = _nice_max(max((g + b for _d, g, b in values), default=0))
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = (WIDTH - PAD_LEFT - PAD_RIGHT) / days
    gap = min(4.0, slot * 0.2)
    base = HEIGHT - PAD_BOTTOM
    bars = []
    for i, (day, good, bad) in enumerate(values):
        good_h = plot_h * good / top
        bad_h = plot_h * bad / top
        bars.append(
            StackedBar(
                x=round(PAD_LEFT + i * slot + gap / 2, 2),
                width=round(slot - gap, 2),
                good_y=round(base - good_h, 2),
                good_h=round(good_h, 2),
                bad_y=round(base - good_h - bad_h, 2),
                bad_h=round(bad_h, 2),
                good=good,
                bad=bad,
                label=day.strftime("%d.%m.%Y"),
                tick=day.strftime("%d.%m.") if i % 5 == 0 else "",
            )
        )
    grid = [(round(base - plot_h * f, 2), round(top * f)) for f in (0.5, 1.0)]
    return StackedChart(bars=bars, gridlines=grid)
