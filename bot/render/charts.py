"""KPI charts as PNG bytes (matplotlib, no display needed). Charts add to the text, never replace it."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from bot.i18n import label, t  # noqa: E402
from bot.render.formatting import format_value  # noqa: E402
from kpi.answer import ChartSeries  # noqa: E402
from kpi.catalogue import BY_NAME  # noqa: E402
from kpi.settings import StoreSettings  # noqa: E402
from schedules.digest import Digest  # noqa: E402

INK, GREY, BAND, ALERT = "#1d4ed8", "#9ca3af", "#dcfce7", "#dc2626"


def kpi_chart(title: str, days: Sequence[date], values: Sequence[float | None],
              compare: Sequence[float | None] | None = None, compare_label: str = "",
              band: tuple[float | None, float | None] | None = None, marked: Sequence[date] = (),
              unit: str = "count", currency: str = "EUR", language: str = "en") -> bytes:
    """A line chart of ``values`` by day, the comparison period dashed, the target band shaded
    and the anomalous days marked. Returns PNG bytes."""
    figure, axes = plt.subplots(figsize=(8, 3.2), dpi=110)
    x: Any = list(days)
    try:
        axes.plot(x, [_nan(v) for v in values], color=INK, linewidth=2, label=title)
        if compare is not None:
            axes.plot(x, [_nan(v) for v in compare], color=GREY, linewidth=1.5, linestyle="--",
                      label=compare_label)
        if band is not None and any(b is not None for b in band):
            low, high = band
            axes.axhspan(low if low is not None else axes.get_ylim()[0],
                         high if high is not None else axes.get_ylim()[1], color=BAND, zorder=0)
        points: Any = [(d, v) for d, v in zip(days, values, strict=True) if d in set(marked) and v is not None]
        if points:
            axes.scatter([d for d, _ in points], [v for _, v in points], color=ALERT, zorder=5, s=40)
        axes.yaxis.set_major_formatter(FuncFormatter(lambda y, _: format_value(y, unit, currency, language)))
        axes.set_title(title, loc="left", fontsize=11)
        axes.spines[["top", "right"]].set_visible(False)
        axes.grid(axis="y", alpha=0.3)
        if compare is not None:
            axes.legend(frameon=False, fontsize=8, loc="upper left")
        figure.autofmt_xdate()
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)


def _nan(value: float | None) -> float:
    return float("nan") if value is None else value


def answer_chart(series: ChartSeries, store: StoreSettings, marked: Sequence[date] = ()) -> bytes:
    """An answer's chart: its days, the comparison's dashed, the target band shaded."""
    metric = BY_NAME[series.metric]
    compare_label = f"vs {series.compare_start}" if series.compare_start else ""
    return kpi_chart(label(metric, store.language), series.days, series.values, series.compare, compare_label,
                     series.band, marked, metric.unit, store.currency, store.language)


def digest_chart(digest: Digest) -> bytes:
    """The digest's 30 days of revenue against the same days a year earlier, its anomalies marked."""
    language = digest.store.language
    return kpi_chart(t("chart_revenue_30d", language), digest.chart_days, digest.chart_revenue,
                     digest.chart_last_year, t("chart_last_year", language),
                     marked=[a.date for a in digest.anomalies if a.metric == "revenue"], unit="currency",
                     currency=digest.store.currency, language=language)
