"""KPI charts as PNG bytes (matplotlib, no display needed). Charts add to the text, never replace it.

A chart shows what its answer says (``kpi.charts``): the KPI by day, one line per key of a split,
or one bar per key for a KPI counted over a period. Every chart has a title, axis labels and a
legend in the store's language, and a target band is named as the target.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from babel.dates import format_date  # noqa: E402
from matplotlib.dates import num2date  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from bot.i18n import label, locale_for, t  # noqa: E402
from bot.render.formatting import format_period, format_value  # noqa: E402
from kpi.answer import BarSeries, ChartSeries  # noqa: E402
from kpi.catalogue import BY_NAME  # noqa: E402
from kpi.settings import StoreSettings  # noqa: E402
from schedules.digest import Digest  # noqa: E402

INK, GREY, BAND, ALERT, TARGET = "#1d4ed8", "#9ca3af", "#dcfce7", "#dc2626", "#15803d"
PALETTE = ("#1d4ed8", "#ea580c", "#16a34a", "#9333ea", "#dc2626", "#0891b2", "#ca8a04", "#6b7280")


@dataclass(frozen=True)
class Line:
    label: str
    values: Sequence[float | None]
    dashed: bool = False


@dataclass(frozen=True)
class Frame:
    """What every chart carries: its words and how to format its values."""

    title: str
    y_label: str
    x_label: str = ""
    unit: str = "count"
    currency: str = "EUR"
    language: str = "en"
    band: tuple[float | None, float | None] | None = None
    marked: Sequence[date] = field(default_factory=tuple)
    image_format: str = "png"  # "svg" keeps the words as text (tests read them)


def kpi_chart(title: str, days: Sequence[date], values: Sequence[float | None],
              compare: Sequence[float | None] | None = None, compare_label: str = "",
              band: tuple[float | None, float | None] | None = None, marked: Sequence[date] = (),
              unit: str = "count", currency: str = "EUR", language: str = "en", series_label: str = "",
              y_label: str = "") -> bytes:
    """A line chart of ``values`` by day, the comparison period dashed, the target band shaded and
    named in the legend, the anomalous days marked. Returns PNG bytes."""
    lines = [Line(series_label or title, values)]
    if compare is not None:
        lines.append(Line(compare_label, compare, dashed=True))
    frame = Frame(title, y_label or title, t("chart_day", language), unit, currency, language, band, marked)
    return line_chart(days, lines, frame)


def line_chart(days: Sequence[date], lines: Sequence[Line], frame: Frame) -> bytes:
    with _figure() as (figure, axes):
        x: Any = list(days)
        for index, line in enumerate(lines):
            colour = GREY if line.dashed else PALETTE[index % len(PALETTE)] if len(lines) > 2 else INK
            axes.plot(x, [_nan(v) for v in line.values], color=colour, linewidth=1.5 if line.dashed else 2,
                      linestyle="--" if line.dashed else "-", label=line.label)
        _band(axes, frame)
        points: Any = [(d, v) for d, v in zip(days, lines[0].values, strict=True) if d in set(frame.marked)
                       and v is not None]
        if points:
            axes.scatter([d for d, _ in points], [v for _, v in points], color=ALERT, zorder=5, s=40,
                         label=t("chart_anomaly", frame.language))
        axes.xaxis.set_major_formatter(FuncFormatter(
            lambda value, _: format_date(num2date(value).date(), "d MMM",  # type: ignore[no-untyped-call]
                                         locale=locale_for(frame.language))))
        _finish(figure, axes, frame)
        return _image(figure, frame.image_format)


def bar_chart(keys: Sequence[str], values: Sequence[float | None], frame: Frame) -> bytes:
    with _figure() as (figure, axes):
        axes.bar(list(keys), [_nan(v) for v in values], color=INK)
        _band(axes, frame)
        axes.tick_params(axis="x", labelsize=8)
        _finish(figure, axes, frame)
        return _image(figure, frame.image_format)


def answer_chart(series: ChartSeries | BarSeries, store: StoreSettings, marked: Sequence[date] = (),
                 image_format: str = "png") -> bytes:
    """An answer's chart: what ``kpi.charts.chart_series`` says it shows."""
    metric, language = BY_NAME[series.metric], store.language
    name = label(metric, language)
    by = t(f"chart_by_{series.by}", language) if series.by else ""
    title = f"{name}{by} · {format_period(series.period, language)}"
    if isinstance(series, BarSeries):
        frame = Frame(title, name, t(f"chart_axis_{series.by}", language), metric.unit, store.currency, language,
                      image_format=image_format)
        return bar_chart([row.key for row in series.rows], [row.value for row in series.rows], frame)
    frame = Frame(title, name, t("chart_day", language), metric.unit, store.currency, language, series.band,
                  marked, image_format)
    if series.lines:
        return line_chart(series.days, [Line(key, values) for key, values in series.lines], frame)
    lines = [Line(format_period(series.period, language), series.values)]
    if series.compare is not None and series.compare_period is not None:
        lines.append(Line(f"{t('vs', language)} {format_period(series.compare_period, language)}", series.compare,
                          dashed=True))
    return line_chart(series.days, lines, frame)


def digest_chart(digest: Digest, image_format: str = "png") -> bytes:
    """The digest's 30 days of revenue against the same days a year earlier, its anomalies marked."""
    language = digest.store.language
    revenue = label(BY_NAME["revenue"], language)
    frame = Frame(t("chart_revenue_30d", language), revenue, t("chart_day", language), "currency",
                  digest.store.currency, language, marked=[a.date for a in digest.anomalies if a.metric == "revenue"],
                  image_format=image_format)
    lines = [Line(revenue, digest.chart_revenue), Line(t("chart_last_year", language), digest.chart_last_year,
                                                        dashed=True)]
    return line_chart(digest.chart_days, lines, frame)


@contextmanager
def _figure() -> Iterator[tuple[Any, Any]]:
    figure, axes = plt.subplots(figsize=(8, 3.2), dpi=110)
    try:
        yield figure, axes
    finally:
        plt.close(figure)


def _band(axes: Any, frame: Frame) -> None:
    """The target, named in the legend as the target: a shaded band for a min–max range, a line for a
    one-sided bound (a band up to the top of the axes would colour the whole chart)."""
    if frame.band is None or all(b is None for b in frame.band):
        return
    low, high = frame.band
    shown = [format_value(v, frame.unit, frame.currency, frame.language) for v in (low, high)]
    if low is not None and high is not None:
        axes.axhspan(low, high, color=BAND, zorder=0,
                     label=t("chart_target", frame.language, bounds=f"{shown[0]} – {shown[1]}"))
        return
    bound, bounds = (low, f"≥ {shown[0]}") if low is not None else (high, f"≤ {shown[1]}")
    axes.axhline(bound, color=TARGET, linestyle=":", linewidth=1.5, zorder=1,
                 label=t("chart_target", frame.language, bounds=bounds))


def _finish(figure: Any, axes: Any, frame: Frame) -> None:
    axes.yaxis.set_major_formatter(FuncFormatter(
        lambda y, _: format_value(y, frame.unit, frame.currency, frame.language)))
    axes.set_ylabel(frame.y_label)
    axes.set_xlabel(frame.x_label)
    axes.set_title(frame.title, loc="left", fontsize=11)
    axes.spines[["top", "right"]].set_visible(False)
    axes.grid(axis="y", alpha=0.3)
    entries = len(axes.get_legend_handles_labels()[0])
    if entries > 3:  # a line per key: the legend beside the chart, where it hides no line
        axes.legend(frameon=False, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    elif entries:
        axes.legend(frameon=False, fontsize=8, loc="best")
    figure.autofmt_xdate()
    figure.tight_layout()


def _image(figure: Any, image_format: str) -> bytes:
    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        figure.savefig(buffer, format=image_format)
    return buffer.getvalue()


def _nan(value: float | None) -> float:
    return float("nan") if value is None else value
