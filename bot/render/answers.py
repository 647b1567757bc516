"""An answer in words: the terminal's lines (`kpibot ask`) and the Slack message (`/kpi`).

The Slack message's text fallback and its blocks come from the same lines, so they never
disagree; the breakdown table and the caveats follow them in both.
"""

from __future__ import annotations

from bot.i18n import caveat_text, label, t
from bot.render.blocks import Block, actions, button, context, fallback, fit, more, section
from bot.render.formatting import arrow, format_change, format_period, format_value, mood_emoji
from kpi.answer import Answer, BreakdownRow, TargetStatus
from kpi.catalogue import BY_NAME

BREAKDOWN_ROWS = 25


def answer_lines(answer: Answer, language: str) -> list[str]:
    """The answer as the terminal shows it."""
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
        lines.append(f"  {t('note', language)}: {caveat_text(caveat, language)}")
    return lines


def answer_message(answer: Answer, language: str, query_text: str) -> tuple[list[Block], str]:
    """Blocks and the text fallback of the Slack answer, from one list of lines."""
    lines = slack_lines(answer, language)
    blocks = [section("\n".join(lines))]
    if answer.breakdown:
        table = "\n".join(breakdown_table(answer.breakdown[:BREAKDOWN_ROWS], answer.unit, answer.currency, language))
        blocks.append(section(f"```{table}```"))
        if len(answer.breakdown) > BREAKDOWN_ROWS:  # the largest rows come first: the rest are the small ones
            blocks.append(context(t("more_rows", language, n=len(answer.breakdown) - BREAKDOWN_ROWS)))
    if answer.caveats:
        blocks.append(context(" · ".join(caveat_text(c, language) for c in answer.caveats)))
    blocks.append(answer_buttons(answer, language, query_text))
    return fit(blocks, more(language)), fallback("\n".join(lines))


def slack_lines(answer: Answer, language: str) -> list[str]:
    metric = BY_NAME[answer.metric]
    value = format_value(answer.value, answer.unit, answer.currency, language)
    lines = [f"*{label(metric, language)}* · {format_period(answer.period, language)}\n*{value}*"]
    if answer.compare is not None:
        before = format_value(answer.compare.value, answer.unit, answer.currency, language)
        lines.append(f"{mood_emoji(answer.compare.change, metric.direction)} "
                     f"{format_change(answer.compare.change, language)} vs {before} "
                     f"({format_period(answer.compare.period, language)})")
    if answer.target is not None:
        lines.append(target_line(answer.target, answer.unit, answer.currency, language))
    return lines


def answer_buttons(answer: Answer, language: str, query_text: str) -> Block:
    base = {"store": answer.store, "q": query_text, "as_of": None}
    return actions([button(t("button_by_channel", language), "kpi_by_channel", base),
                    button(t("button_by_device", language), "kpi_by_device", base),
                    button(t("button_vs_ly", language), "kpi_vs_ly", base)])


def target_line(status: TargetStatus, unit: str, currency: str, language: str) -> str:
    bounds = " – ".join(format_value(v, unit, currency, language) for v in (status.min, status.max) if v is not None)
    per = t("per_month", language) if status.period == "month" else ""
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
