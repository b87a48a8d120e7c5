"""The /stats chart: contacts per day and per supporter country, as a PNG.

matplotlib is imported only here, and only when a chart is drawn (the Agg backend, no
display). Labels inside the image are numbers, dates and ISO codes only, so no font is
needed for the eleven languages: the localized explanation goes in the photo's caption.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class ChartData:
    days: list[str]  # ISO dates, oldest first, every day of the period
    per_day: list[int]
    countries: list[str]  # ISO codes (or "other"), most contacts first
    per_country: list[int]


def chart_data(
    per_day: Sequence[tuple[str, int]],
    countries: Sequence[tuple[str | None, int]],
    last_day: date,
    days: int,
    top: int = 10,
) -> ChartData:
    """Fill the days without contacts with 0; keep the ``top`` countries."""
    counts = dict(per_day)
    span = [(last_day - timedelta(days=offset)).isoformat() for offset in range(days - 1, -1, -1)]
    ranked = sorted(countries, key=lambda item: (-item[1], item[0] or "~"))[:top]
    return ChartData(
        days=span,
        per_day=[counts.get(day, 0) for day in span],
        countries=[code or "other" for code, _n in ranked],
        per_country=[n for _code, n in ranked],
    )


@dataclass(frozen=True)
class Chart:
    png: bytes
    drawn_per_day: list[int]  # bar heights as drawn (read back from the figure)
    drawn_per_country: list[int]


def render_chart(data: ChartData) -> Chart:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(10, 4), dpi=100)
    per_day, per_country = figure.subplots(1, 2, gridspec_kw={"width_ratios": [3, 2]})
    day_bars = per_day.bar(range(len(data.days)), data.per_day, color="#c0392b")
    ticks = list(range(0, len(data.days), max(len(data.days) // 6, 1)))
    per_day.set_xticks(ticks, [data.days[i][5:] for i in ticks])
    per_day.set_ylabel("#")
    per_day.yaxis.get_major_locator().set_params(integer=True)
    country_bars = per_country.barh(range(len(data.countries)), data.per_country, color="#2c3e50")
    per_country.set_yticks(range(len(data.countries)), data.countries)
    per_country.invert_yaxis()
    per_country.xaxis.get_major_locator().set_params(integer=True)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return Chart(
        png=buffer.getvalue(),
        drawn_per_day=[round(bar.get_height()) for bar in day_bars],
        drawn_per_country=[round(bar.get_width()) for bar in country_bars],
    )
