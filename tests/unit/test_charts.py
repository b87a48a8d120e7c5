"""The /stats chart: a valid PNG that draws exactly the numbers computed."""

from __future__ import annotations

import io
import struct
import sys
from datetime import date

from PIL import Image

from bot.charts import chart_data, render_chart


def test_chart_data_fills_missing_days_and_keeps_the_top_countries() -> None:
    data = chart_data(
        [("2026-11-20", 4), ("2026-11-23", 1)],
        [("DE", 5), (None, 2), ("CA", 7), ("FR", 5)],
        date(2026, 11, 24),
        days=5,
        top=3,
    )
    assert data.days == ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23", "2026-11-24"]
    assert data.per_day == [4, 0, 0, 1, 0]
    assert (data.countries, data.per_country) == (["CA", "DE", "FR"], [7, 5, 5])


def test_chart_is_a_png_of_the_computed_data() -> None:
    data = chart_data(
        [("2026-11-22", 3), ("2026-11-24", 12)],
        [("DE", 9), ("KZ", 4), (None, 2)],
        date(2026, 11, 24),
        days=30,
    )
    chart = render_chart(data)
    assert chart.png[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", chart.png[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", chart.png[16:24])
    assert (width, height) == (1000, 400)
    with Image.open(io.BytesIO(chart.png)) as image:
        image.verify()
        assert image.format == "PNG"
    assert chart.drawn_per_day == data.per_day and sum(chart.drawn_per_day) == 15
    assert chart.drawn_per_country == [9, 4, 2]
    assert data.countries == ["DE", "KZ", "other"]


def test_matplotlib_is_loaded_only_to_draw() -> None:
    import subprocess

    code = "import sys, bot.app, handlers; print('matplotlib' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "False"
