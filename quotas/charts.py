"""Bar charts of hourly usage as plain geometry, drawn as inline SVG by the templates."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils import formats, timezone

WIDTH, HEIGHT = 480, 190
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 40, 6, 12, 26


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str  # the bucket as people read it ("14:00", "Mo 23.11.")
    tick: str  # axis text under the bar, or "" to leave it out


@dataclass
class Chart:
    bars: list[Bar]
    gridlines: list[tuple[float, int]] = field(default_factory=list)
    limit_y: float | None = None
    limit: int | None = None
    width: int = WIDTH
    height: int = HEIGHT
    left: int = PAD_LEFT
    baseline: float = HEIGHT - PAD_BOTTOM

    @property
    def total(self) -> int:
        return sum(b.value for b in self.bars)


def _nice_max(value: int) -> int:
    """A round axis maximum at or above value (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 10
    step = 1
    while True:
        for m in (1, 2, 5):
            if step * m >= value:
                return step * m
        step *= 10


def _layout(values: list[tuple[str, str, int]], *, limit: int | None = None) -> Chart:
    top = max([v for _l, _t, v in values] + ([limit] if limit else []))
    scale_max = _nice_max(top)
    plot_h = HEIGHT - PAD_TOP - PAD_BOTTOM
    plot_w = WIDTH - PAD_LEFT - PAD_RIGHT
    slot = plot_w / max(1, len(values))
    gap = min(6.0, slot * 0.2)
    bars = []
    for i, (label, tick, value) in enumerate(values):
        h = plot_h * value / scale_max
        bars.append(
            Bar(
                x=round(PAD_LEFT + i * slot + gap / 2, 2),
                y=round(HEIGHT - PAD_BOTTOM - h, 2),
                width=round(slot - gap, 2),
                height=round(h, 2),
                value=value,
                label=label,
                tick=tick,
            )
        )
    gridlines = [
        (round(HEIGHT - PAD_BOTTOM - plot_h * f, 2), round(scale_max * f)) for f in (0.5, 1.0)
    ]
    chart = Chart(bars=bars, gridlines=gridlines)
    if limit:
        chart.limit = limit
        chart.limit_y = round(HEIGHT - PAD_BOTTOM - plot_h * limit / scale_max, 2)
    return chart


def hourly_chart(hourly: dict[datetime, int], *, now: datetime, hours: int = 25) -> Chart:
    """One bar per clock hour touching the last 24 hours: the first and the current hour are
    partial, so the bars add up to exactly the figure of the window."""
    current = now.replace(minute=0, second=0, microsecond=0)
    values = []
    for i in range(hours - 1, -1, -1):
        hour = current - timedelta(hours=i)
        local = timezone.localtime(hour)
        tick = f"{local:%H}" if local.hour % 3 == 0 else ""
        values.append((f"{local:%H}:00–{local:%H}:59", tick, hourly.get(hour, 0)))
    return _layout(values)


def daily_chart(
    hourly: dict[datetime, int], *, now: datetime, days: int = 7, limit: int | None = None
) -> Chart:
    """One bar per calendar day (local time) for the last `days` days, today last."""
    today = timezone.localtime(now).date()
    totals = {today - timedelta(days=i): 0 for i in range(days)}
    for hour, count in hourly.items():
        day = timezone.localtime(hour).date()
        if day in totals:
            totals[day] += count
    values = []
    for day in sorted(totals):
        label = formats.date_format(day, "D j.n.")
        values.append((label, f"{day:%d.%m.}", totals[day]))
    return _layout(values, limit=limit)
