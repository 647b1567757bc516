"""An answer as readable text in the store's language: the terminal output of
`kpibot ask` and the text fallback of Slack messages."""

from __future__ import annotations

from bot.i18n import format_period, label, t
from bot.render.formatting import arrow, format_change, format_value
from kpi.answer import Answer, BreakdownRow, TargetStatus
from kpi.catalogue import BY_NAME
from kpi.decompose import Decomposition


def answer_lines(answer: Answer, language: str, by: str | None = None) -> list[str]:
    metric = BY_NAME[answer.metric]
    value = format_value(answer.value, answer.unit, answer.currency, language)
    lines = [f"{label(metric, language)} · {format_period(answer.period, language)}: {value}"]
    if answer.compare is not None:
        before = format_value(answer.compare.value, answer.unit, answer.currency, language)
        lines.append(f"  {arrow(answer.compare.change)} {format_change(answer.compare.change, language)} "
                     f"{t('vs', language)} {before} ({format_period(answer.compare.period, language)})")
    if answer.target is not None:
        lines.append("  " + target_line(answer.target, answer.unit, answer.currency, language))
    if answer.breakdown is not None:
        lines.append("")
        lines.extend(breakdown_table(answer.breakdown, answer.unit, answer.currency, language))
    for caveat in answer.caveats:
        lines.append(f"  {t('note', language)}: {caveat.text(language)}")
    return lines


def target_line(status: TargetStatus, unit: str, currency: str, language: str) -> str:
    bounds = " – ".join(format_value(v, unit, currency, language) for v in (status.min, status.max) if v is not None)
    per = (" al mese" if language == "it" else " per month") if status.period == "month" else ""
    text = f"{t('target', language)} {bounds}{per}: {t('status_' + status.status, language)}"
    if status.is_default:
        text += f" ({t('default', language)})"
    if status.pace is not None:
        text += "; " + t("pace", language, pace=format_value(status.pace, "ratio", currency, language))
    return text


def breakdown_table(rows: tuple[BreakdownRow, ...], unit: str, currency: str, language: str) -> list[str]:
    """Aligned two-column text, narrow enough for a phone."""
    cells = [(row.key[:22], format_value(row.value, unit, currency, language)) for row in rows]
    key_width = max((len(k) for k, _ in cells), default=0)
    value_width = max((len(v) for _, v in cells), default=0)
    return [f"  {key.ljust(key_width)}  {value.rjust(value_width)}" for key, value in cells]


def formula_line(split: Decomposition, language: str) -> str:
    change = format_change(split.change, language)
    if split.contributions is None:
        return t("no_split", language, change=change)
    parts = {name: format_change(value, language) for name, value in split.contributions.items()}
    return t("formula", language, change=change, **parts)
