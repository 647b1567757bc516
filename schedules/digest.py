"""The morning digest as data (SPEC §8 items 1–8); ``bot`` turns it into Block Kit and text."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from connectors.warehouse import Warehouse
from kpi.anomalies.calendar import event_for, store_calendar
from kpi.anomalies.detect import Anomaly, detect
from kpi.answer import KpiLine, Period
from kpi.catalogue import BY_NAME
from kpi.compute import daily_values, period_totals
from kpi.decompose import ChannelContribution, Decomposition, decompose_by_channel, decompose_revenue_change
from kpi.series import provisional_days
from kpi.service import headline
from kpi.settings import StoreSettings
from kpi.targets import TargetCheck, evaluate_all
from schedules.findings import last_final_day
from schedules.marketing import MarketingSection, build_marketing
from schedules.shop_digest import ShopDigest, build_shop_digest
from schedules.targets import effective_store

MAIN_KPIS = ("revenue", "orders", "sessions", "cvr", "aov", "email_revenue_share")
CHART_DAYS = 30


@dataclass(frozen=True)
class Digest:
    store: StoreSettings
    day: date  # the day reported on (yesterday when the digest is posted)
    as_of: date
    provisional: bool
    data_through: str | None
    split: Decomposition
    kpis: list[KpiLine]
    targets: list[TargetCheck]
    anomalies: list[Anomaly]
    chart_days: list[date] = field(default_factory=list)
    chart_revenue: list[float | None] = field(default_factory=list)
    chart_last_year: list[float | None] = field(default_factory=list)
    channels: list[ChannelContribution] = field(default_factory=list)  # which channels explain the change
    event: str | None = None  # the holiday or event of the day reported on ("Immacolata Concezione")
    week_ago_event: str | None = None  # ...of the same weekday a week earlier, the day it is compared with
    marketing: MarketingSection | None = None  # flow roles against their benchmarks, when Klaviyo is connected
    built_on: date | None = None  # the day it was built (``as_of`` unless rebuilt later)
    shop: ShopDigest | None = None  # the shop's own sales and the tracking gap, with a live shop source

    def key_figures(self) -> dict[str, float | None]:
        """What a later correction compares against (revenue, orders, sessions)."""
        return {line.metric: line.value for line in self.kpis if line.metric in ("revenue", "orders", "sessions")}


class DigestUnavailable(Exception):
    """There is no data for the day: the digest cannot be built (a failure notice follows)."""

    exit_code = 1


def _unavailable(span: tuple[date, date] | None, store: str, day: date) -> DigestUnavailable:
    """One sentence: what is missing, and what to do about it."""
    if span is None:
        return DigestUnavailable(f"there is no GA4 data for {store} yet, so there is no digest for {day}: run "
                                 f"`kpibot sync --store {store}` first")
    first, last = span
    if first <= day <= last:
        return DigestUnavailable(f"there is no GA4 data for {store} on {day} (the last sync may have failed): run "
                                 f"`kpibot sync --store {store} --since {day}`")
    return DigestUnavailable(f"there is no GA4 data for {store} on {day}: the stored data runs from {first} to "
                             f"{last}, so give a --date (or --as-of) between {first + timedelta(days=1)} and "
                             f"{last + timedelta(days=1)}, or run `kpibot sync --store {store} --since {day}`")


def build_digest(db: Warehouse, store: StoreSettings, as_of: date, now: date | None = None) -> Digest:
    """The digest posted on ``as_of`` (about the day before). ``now`` is the day it is built on (default
    ``as_of``): a digest rebuilt later (``--date``, a correction) says whether its day is still provisional
    now, and how far the data reached on its day."""
    store = effective_store(db, store)  # targets set from Slack win over the file
    day = as_of - timedelta(days=1)
    week_ago = day - timedelta(days=7)
    totals = period_totals(db, store, Period(day, day))
    span = db.data_span(store.name, "sessions")
    if not totals or not totals[""].sessions:
        raise _unavailable(span, store.name, day)
    before = period_totals(db, store, Period(week_ago, week_ago)).get("")
    split = decompose_revenue_change(before, totals[""])
    chart = Period(day - timedelta(days=CHART_DAYS - 1), day)
    final = last_final_day(as_of)
    return Digest(
        store=store, day=day, as_of=as_of, provisional=day in provisional_days(now or as_of), built_on=now or as_of,
        data_through=_data_through(db, store, day),
        split=split, kpis=headline(db, store, day, MAIN_KPIS),
        targets=evaluate_all(db, store, as_of),
        anomalies=detect(db, store, as_of, period=Period(final - timedelta(days=6), final)),
        chart_days=[chart.start + timedelta(days=i) for i in range(chart.days)],
        chart_revenue=_daily(db, store, chart, 0), chart_last_year=_daily(db, store, chart, 364),
        channels=decompose_by_channel(period_totals(db, store, Period(week_ago, week_ago), "channel"),
                                      period_totals(db, store, Period(day, day), "channel")),
        event=_event_name(store, day), week_ago_event=_event_name(store, week_ago),
        marketing=build_marketing(db, store, day),
        shop=build_shop_digest(db, store, day),
    )


def _event_name(store: StoreSettings, day: date) -> str | None:
    event = event_for(day, store_calendar(store, day, day))
    return event.name if event else None


def _data_through(db: Warehouse, store: StoreSettings, day: date) -> str | None:
    """How far the data reached on the digest's own day, not today: a back-dated digest (``--date``) says
    what was known then."""
    known = db.days_with_data(store.name, "sessions", day - timedelta(days=CHART_DAYS), day)
    return max(known).isoformat() if known else None


def _daily(db: Warehouse, store: StoreSettings, period: Period, shift: int) -> list[float | None]:
    shifted = Period(period.start - timedelta(days=shift), period.end - timedelta(days=shift))
    return daily_values(db, store, BY_NAME["revenue"], shifted)
