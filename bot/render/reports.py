"""Reports people schedule: when they run in words, the channel's list with a Cancel button each,
and the line under a posted report that says what it is."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time, timedelta

from babel.dates import format_date

from bot.i18n import locale_for, t
from bot.render.blocks import Block, context, fallback, fit, header, more, section
from bot.render.blocks import button as make_button
from schedules.reports import ScheduledReport

CANCEL_ACTION = "report_cancel"
A_MONDAY = date(2024, 1, 1)


def day_name(weekday: int, language: str) -> str:
    return format_date(A_MONDAY + timedelta(days=weekday), "EEEE", locale=locale_for(language))


def when_text(weekday: int | None, at: time, language: str) -> str:
    clock = at.strftime("%H:%M")
    if weekday is None:
        return t("report_when_daily", language, time=clock)
    return t("report_when_weekly", language, day=day_name(weekday, language), time=clock)


def scheduled_text(report: ScheduledReport, timezone: str, language: str) -> str:
    return t("report_scheduled", language, id=report.id, query=report.query[:200],
             when=when_text(report.weekday, report.at, language), timezone=timezone)


def report_line(report: ScheduledReport, language: str) -> str:
    return t("report_line", language, id=report.id, query=report.query[:200],
             when=when_text(report.weekday, report.at, language), user=report.created_by)


def reports_message(reports: Sequence[ScheduledReport], language: str,
                    note: str | None = None) -> tuple[list[Block], str]:
    """The channel's scheduled reports, one section each with its Cancel button."""
    title = t("reports_title", language)
    lines = [report_line(report, language) for report in reports] or [t("reports_none", language)]
    blocks: list[Block] = [header(title), *([context(note)] if note else [])]
    for report, line in zip(reports, lines, strict=False):
        block = section(line)
        block["accessory"] = make_button(t("button_cancel_report", language, id=report.id), CANCEL_ACTION,
                                         str(report.id))
        blocks.append(block)
    if not reports:
        blocks.append(section(lines[0]))
    return fit(blocks, more(language)), fallback("\n".join([*([note] if note else []), title, *lines]))


def report_footer(report: ScheduledReport, language: str) -> Block:
    return context(t("report_footer", language, id=report.id, when=when_text(report.weekday, report.at, language)))
