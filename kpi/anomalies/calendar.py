"""A store's calendar: public holidays, the seasons that shape around them, and planned events.

Days inside an event do not behave like ordinary days, so the detector keeps them out of its
baselines and judges them against the same event a year earlier when it can (``kpi.anomalies.yearly``).
The calendar is built from the store's settings (``country`` and ``[[stores.events]]``) by a
pure function: the ``holidays`` package computes dates locally, with no clock and no network.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property, lru_cache

from kpi.settings import PlannedEvent, StoreSettings

# Priority when events overlap: the most specific kind explains a day best.
KINDS = ("holiday", "planned", "season")
# Built-in seasons, named in the store's language.
SEASON_NAMES = {
    "christmas": {"it": "Feste natalizie", "en": "Christmas holidays"},
    "easter": {"it": "Pasqua", "en": "Easter"},
    "ferragosto": {"it": "Ferragosto", "en": "Mid-August holiday"},
    "black_friday": {"it": "Black Friday", "en": "Black Friday"},
}
# How far from a year before an event's start last year's same event may start (Easter moves).
PARTNER_SLACK_DAYS = 36
YEAR_DAYS = 364  # 52 weeks: the same weekday a year earlier


@dataclass(frozen=True)
class CalendarEvent:
    """One occurrence of an event; ``key`` is the same for the same event in every year."""

    name: str
    key: str
    start: date
    end: date
    kind: str = "holiday"  # holiday | planned | season
    expect: str | None = None  # "up" | "down": the direction the event is expected to move the KPIs

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Calendar:
    events: tuple[CalendarEvent, ...] = ()

    @cached_property
    def _by_day(self) -> dict[date, list[CalendarEvent]]:
        days: dict[date, list[CalendarEvent]] = {}
        for event in sorted(self.events, key=lambda e: (e.days, KINDS.index(e.kind), e.name)):
            for offset in range(event.days):
                days.setdefault(event.start + timedelta(days=offset), []).append(event)
        return days

    def on(self, day: date) -> list[CalendarEvent]:
        """The events covering ``day``, the one that shapes the day most first (shortest, then kind)."""
        return list(self._by_day.get(day, ()))

    def partner(self, event: CalendarEvent, day: date) -> date | None:
        """The same day of the same event a year earlier, or None when there was no such day."""
        wanted = event.start - timedelta(days=YEAR_DAYS)
        earlier = [e for e in self.events if e.key == event.key
                   and abs((e.start - wanted).days) <= PARTNER_SLACK_DAYS]
        if not earlier:
            return None
        last_year = min(earlier, key=lambda e: abs((e.start - wanted).days))
        twin = last_year.start + (day - event.start)
        return twin if last_year.covers(twin) else None

    def expectation(self, day: date) -> str | None:
        for event in self.on(day):
            if event.expect:
                return event.expect
        return None


EMPTY = Calendar()


def event_for(day: date, calendar: Calendar) -> CalendarEvent | None:
    """The event that names ``day`` for a reader: a public holiday, else a planned event, else a season."""
    found = calendar.on(day)
    return min(found, key=lambda e: (KINDS.index(e.kind), e.days, e.name)) if found else None


def build_calendar(country: str | None, language: str, planned: Sequence[PlannedEvent],
                   years: Iterable[int]) -> Calendar:
    """Holidays and seasons of ``country`` (ISO 3166-1 alpha-2) in ``years``, plus the planned events."""
    return _build(country, language, tuple(planned), tuple(sorted(set(years))))


@lru_cache(maxsize=32)
def _build(country: str | None, language: str, planned: tuple[PlannedEvent, ...],
           years: tuple[int, ...]) -> Calendar:
    events = [CalendarEvent(p.name, f"planned:{p.name}", p.start, p.end, "planned", p.expect) for p in planned]
    if country and years:
        holidays = public_holidays(country, language, years)
        events.extend(holidays)
        events.extend(seasons({e.start for e in holidays}, language, years))
    return Calendar(tuple(sorted(events, key=lambda e: (e.start, e.key))))


def public_holidays(country: str, language: str, years: Sequence[int]) -> list[CalendarEvent]:
    import holidays

    table = holidays.country_holidays(country, years=list(years))
    chosen = holiday_language(table.supported_languages, language)
    if chosen:
        table = holidays.country_holidays(country, years=list(years), language=chosen)
    return [CalendarEvent(name, f"holiday:{name}", day, day, "holiday")
            for day in sorted(table) for name in table.get_list(day)]


def holiday_language(supported: Sequence[str], language: str) -> str | None:
    """The ``holidays`` language code for the store's language ("it" → "it_IT"), if it has one."""
    exact = [code for code in supported if code == language or code.startswith(f"{language}_")]
    preferred = [code for code in exact if code in ("en_US", f"{language}_{language.upper()}")]
    choices = preferred or exact
    return choices[0] if choices else None


def seasons(holiday_days: set[date], language: str, years: Iterable[int]) -> list[CalendarEvent]:
    """The days that shape around the big holidays, where the country keeps those holidays."""
    from dateutil.easter import easter

    found = []
    for year in years:
        spans = {"black_friday": (black_friday(year) - timedelta(days=6), black_friday(year) + timedelta(days=3))}
        if date(year, 12, 25) in holiday_days:
            spans["christmas"] = (date(year, 12, 24), date(year + 1, 1, 6))
        sunday = easter(year)
        if holiday_days & {sunday - timedelta(days=2), sunday, sunday + timedelta(days=1)}:
            spans["easter"] = (sunday - timedelta(days=2), sunday + timedelta(days=1))
        if date(year, 8, 15) in holiday_days:
            spans["ferragosto"] = (date(year, 8, 10), date(year, 8, 20))
        for key, (start, end) in spans.items():
            names = SEASON_NAMES[key]
            found.append(CalendarEvent(names.get(language, names["en"]), f"season:{key}", start, end, "season"))
    return found


def black_friday(year: int) -> date:
    """The day after the fourth Thursday of November."""
    november_first = date(year, 11, 1)
    first_thursday = november_first + timedelta(days=(3 - november_first.weekday()) % 7)
    return first_thursday + timedelta(weeks=3, days=1)


def supported_country(code: str) -> bool:
    import holidays

    return code in holidays.list_supported_countries()


def store_calendar(store: StoreSettings, start: date, end: date) -> Calendar:
    """The calendar of ``store`` for the years ``start..end`` touch (and the year before, for twins)."""
    return build_calendar(store.country, store.language, store.events, range(start.year - 1, end.year + 1))
