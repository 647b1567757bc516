"""Alert episodes (and the findings behind them) in words and Block Kit, in the store's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.i18n import label, t
from bot.render.blocks import Block, actions, button, context, section
from bot.render.formatting import format_day, format_value
from kpi.catalogue import BY_NAME
from kpi.settings import StoreSettings
from schedules.episodes import Episode
from schedules.findings import Finding

BUTTONS = (("button_acknowledge", "alert_acknowledge"), ("button_snooze_1d", "alert_snooze_1d"),
           ("button_snooze_7d", "alert_snooze_7d"), ("button_expected", "alert_expected"))
ICONS = {"critical": ":red_circle:", "warning": ":large_orange_circle:"}


def summary(metric_name: str, kind: str, detail: str | None, value: float | None, expected: float | None,
            since: date, contributor: str | None, store: StoreSettings) -> str:
    """One line: KPI, kind, value vs expected, since when, main contributor."""
    language, metric = store.language, BY_NAME[metric_name]

    def show(number: float | None) -> str:
        return format_value(number, metric.unit, store.currency, language)

    what = t(f"alert_kind_{detail}" if kind == "target" and detail in ("below", "above") else f"alert_kind_{kind}",
             language)
    who = f" · {t('mainly', language)} {contributor}" if contributor else ""
    return (f"*{label(metric, language)}* · {what}: {show(value)} ({t('alert_expected', language)} "
            f"{show(expected)}) · {t('alert_since', language)} {format_day(since, language)}{who}")


def episode_summary(episode: Episode, store: StoreSettings) -> str:
    return summary(episode.metric, episode.kind, episode.detail, episode.value, episode.expected,
                   episode.opened_on, episode.contributor, store)


def state_text(episode: Episode, store: StoreSettings) -> str:
    if episode.state == "snoozed":
        return t("alert_state_snoozed", store.language, until=episode.snoozed_until)
    return t(f"alert_state_{episode.state}", store.language)


def alert_message(episode: Episode, store: StoreSettings) -> tuple[list[Block], str]:
    """The episode's one message: live with its buttons, or ended."""
    icon = ":white_check_mark:" if episode.ended else ICONS.get(episode.severity or "", ":large_orange_circle:")
    text = f"{icon} {store.name} · {episode_summary(episode, store)}"
    blocks = [section(text), context(f"_{state_text(episode, store)}_")]
    if not episode.ended:
        blocks.append(actions([button(t(key, store.language), action_id, str(episode.id))
                               for key, action_id in BUTTONS]))
    return blocks, text


def open_alert_lines(episodes: Sequence[Episode], store: StoreSettings) -> list[str]:
    return [f"• {episode_summary(e, store)} · _{state_text(e, store)}_" for e in episodes]


def findings_text(store: StoreSettings, findings: Sequence[Finding]) -> str:
    """What the alert check finds, worded as the alert messages word their episodes."""
    if not findings:
        return f"{store.name}: " + t("alerts_none_short", store.language)
    return "\n".join(f"{store.name}: " + summary(f.metric, f.kind, f.detail, f.value, f.expected, f.day,
                                                  f.contributor, store).replace("*", "") for f in findings)
