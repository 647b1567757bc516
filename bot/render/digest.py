"""The morning digest in words and Block Kit: one list of lines makes the text and the blocks."""

from __future__ import annotations

from datetime import timedelta

from bot.i18n import label, t
from bot.render.anomalies import anomaly_line
from bot.render.answers import target_line
from bot.render.blocks import (
    SECTION_LIMIT,
    Block,
    actions,
    button,
    context,
    fallback,
    fit,
    header,
    line_sections,
    more,
)
from bot.render.formatting import (
    arrow,
    format_change,
    format_day,
    format_period,
    format_points,
    format_share,
    format_value,
    mood_emoji,
    whole_percents,
)
from bot.render.sections import currency_lines, marketing_lines, tracking_line
from kpi.answer import KpiLine
from kpi.catalogue import BY_NAME
from kpi.decompose import Decomposition
from kpi.settings import StoreSettings
from schedules.digest import Digest


def digest_header(digest: Digest) -> tuple[str, str]:
    """The title and the freshness line under it."""
    language = digest.store.language
    title = t("digest_title", language, store=digest.store.name, day=format_day(digest.day, language))
    through = t("digest_through", language, day=digest.data_through or "–")
    freshness = t("digest_final", language)
    if digest.provisional:
        built_on = digest.built_on or digest.as_of
        freshness = t("digest_provisional", language) if digest.day == built_on - timedelta(days=1) \
            else t("digest_provisional_day", language, day=format_day(digest.day, language))
    return title, f"{freshness} · {through}"


def digest_lines(digest: Digest) -> list[str]:
    """The whole digest as text: it must read well with no blocks and no chart."""
    store, language = digest.store, digest.store.language
    title, subtitle = digest_header(digest)
    lines = [f"*{title}*", f"_{subtitle}_", "",
             f"*{t('digest_formula', language)}*: {formula_line(digest.split, language)}"]
    lines += event_lines(digest)
    if digest.channels and digest.split.change is not None:
        # points of the revenue change, not each channel's own change: they add up to the line above
        top = ", ".join(f"{row.key} {format_points(row.contribution, language)}" for row in digest.channels[:3])
        lines.append(f"{t('digest_channels', language, change=format_change(digest.split.change, language))}: {top}")
    lines += ["", f"*{t('digest_kpis', language)}*"]
    lines += [kpi_text(line, store) for line in digest.kpis]
    lines += shop_lines(digest)
    lines += ["", f"*{t('digest_targets', language)}*", *target_lines(digest)]
    lines += marketing_lines(digest.marketing, store)  # only when the store connects Klaviyo
    lines += ["", f"*{t('digest_anomalies', language)}*"]
    lines += [anomaly_line(a, store) for a in digest.anomalies] or [t("digest_none", language)]
    return lines


def event_lines(digest: Digest) -> list[str]:
    """The holiday or event that explains the day, or that makes last week's comparison unlike."""
    language = digest.store.language
    lines = [t("digest_event_day", language, event=digest.event)] if digest.event else []
    if digest.week_ago_event and digest.week_ago_event != digest.event:
        lines.append(t("digest_event_week_ago", language, event=digest.week_ago_event))
    return lines


def digest_message(digest: Digest) -> tuple[list[Block], str]:
    """Blocks and the text fallback: the title and freshness get their own blocks, each paragraph a section."""
    lines = digest_lines(digest)
    title, subtitle = digest_header(digest)
    language = digest.store.language
    blocks: list[Block] = [header(title), context(subtitle)]
    for part in "\n".join(lines[3:]).split("\n\n"):  # one paragraph, one or more sections of whole lines
        blocks += line_sections(part.splitlines(), more(language), budget=SECTION_LIMIT * 2, max_blocks=2)
    value = {"store": digest.store.name, "q": f"revenue {digest.day.isoformat()}"}
    blocks.append(actions([button(t("button_by_channel", language), "kpi_by_channel", value),
                           button(t("button_by_device", language), "kpi_by_device", value),
                           button(t("button_dashboard", language), "open_dashboard", {"store": digest.store.name})]))
    return fit(blocks, more(language)), fallback("\n".join(lines))


def formula_line(split: Decomposition, language: str) -> str:
    """Revenue's change = each factor's own change, multiplied; then how much of it each factor explains."""
    change = format_change(split.change, language)
    if split.factors is None:
        return t("no_split", language, change=change)
    text = t("formula", language, change=change,
             **{name: format_change(value, language) for name, value in split.factors.items()})
    if split.shares is None:
        return text
    shares = {f"{name}_share": format_share(value, language) for name, value in whole_percents(split.shares).items()}
    return f"{text} ({t('formula_shares', language, **shares)})"


def kpi_text(line: KpiLine, store: StoreSettings) -> str:
    metric, language = BY_NAME[line.metric], store.language
    value = format_value(line.value, metric.unit, store.currency, language)
    vs = t("digest_vs", language,
           week=f"{arrow(line.change_week)} {format_change(line.change_week, language)}",
           avg=f"{arrow(line.change_average)} {format_change(line.change_average, language)}")
    return f"{mood_emoji(line.change_week, metric.direction)} *{label(metric, language)}* {value} · {vs}"


def shop_lines(digest: Digest) -> list[str]:
    """The shop section (with a live shop source): its KPI lines, the tracking gap, other currencies."""
    shop, store = digest.shop, digest.store
    if shop is None:
        return []
    return (["", f"*{t('digest_shop', store.language)}*"] + [kpi_text(line, store) for line in shop.kpis]
            + [tracking_line(shop.tracking, store.language)] + currency_lines(shop, store))


def target_lines(digest: Digest) -> list[str]:
    store, language = digest.store, digest.store.language
    lines = []
    judged_below = digest.marketing.metrics if digest.marketing else frozenset()  # the marketing section's
    for check in (check for check in digest.targets if check.metric not in judged_below):
        metric = BY_NAME[check.metric]
        value = format_value(check.value, metric.unit, store.currency, language)
        lines.append(f"• {label(metric, language)} ({format_period(check.period, language)}) {value}: "
                     + target_line(check.status, metric.unit, store.currency, language))
    return lines


def correction_note(digest: Digest, before: dict[str, float | None]) -> str:
    """One line saying what changed once GA4's data became final."""
    store, language = digest.store, digest.store.language
    after = digest.key_figures()
    changes = []
    for name, old in before.items():
        new = after.get(name)
        if old != new:
            metric = BY_NAME[name]
            old_text, new_text = (format_value(v, metric.unit, store.currency, language) for v in (old, new))
            changes.append(f"{label(metric, language)} {old_text} → {new_text}")
    return t("digest_corrected", language, changes="; ".join(changes) or t("digest_no_changes", language))
