"""The SVG bar charts' geometry."""

from datetime import UTC, datetime, timedelta

from quotas.charts import daily_chart, hourly_chart

NOW = datetime(2026, 11, 27, 14, 35, tzinfo=UTC)


def test_hourly_chart_covers_the_window_with_25_clock_hours():
    hour = NOW.replace(minute=0)
    chart = hourly_chart(
        {hour: 10, hour - timedelta(hours=24): 5, hour - timedelta(hours=30): 99}, now=NOW
    )
    assert len(chart.bars) == 25
    assert chart.total == 15  # the hour 30 h ago is outside
    tallest = max(chart.bars, key=lambda b: b.height)
    assert tallest.value == 10 and tallest.y >= 0
    assert all(b.y + b.height <= chart.baseline + 0.01 for b in chart.bars)


def test_daily_chart_sums_local_days_and_draws_the_limit():
    hours = {NOW - timedelta(days=d): 100 * d for d in range(8)}
    chart = daily_chart(hours, now=NOW, limit=500)
    assert len(chart.bars) == 7
    assert [b.value for b in chart.bars] == [600, 500, 400, 300, 200, 100, 0]
    assert chart.limit == 500 and chart.limit_y is not None
    assert chart.gridlines[-1][1] >= 600  # the axis reaches the tallest bar
