"""An answer in words: one list of lines for the Slack message (`/kpi`) and the terminal (`kpibot ask`).

The Slack message's text and its blocks come from the same lines, so they never disagree, and
`kpibot ask` prints exactly that text (emoji and bold through ``bot.render.terminal``).
"""

from __future__ import annotations

from bot.i18n import caveat_text, label, t
from bot.render.blocks import Block, actions, button, context, fallback, fit, more, section
from bot.render.formatting import format_change, format_day, format_period, format_value, mood_emoji
from kpi.answer import Answer, BreakdownRow, TargetStatus
from kpi.catalogue import BY_NAME
from kpi.compute import splits_for

BREAKDOWN_ROWS = 25


def answer_lines(answer: Answer, language: str, ran: str | None = None) -> list[str]:
    """The whole answer as Slack-flavoured lines: the Slack reply's text, and what `kpibot ask` prints
    (through ``bot.render.terminal``). ``ran`` is the short form the query ran as, echoed last."""
    lines = headline_lines(answer, language)
    if answer.breakdown:
        lines += ["```", *table_lines(answer, language), "```"]
    lines += [f"{t('note', language)}: {caveat_text(caveat, language)}" for caveat in answer.caveats]
    if ran:
        lines.append(t("query_echo", language, canonical=ran))
    return lines


def answer_message(answer: Answer, language: str, ran: str) -> tuple[list[Block], str]:
    """Blocks and the text of the Slack answer: the blocks hold the same lines as the text."""
    blocks = [section("\n".join(headline_lines(answer, language)))]
    if answer.breakdown:
        blocks.append(section("```" + "\n".join(table_lines(answer, language)) + "```"))
    if answer.caveats:
        blocks.append(context(" · ".join(caveat_text(c, language) for c in answer.caveats)))
    blocks.append(context(t("query_echo", language, canonical=ran)))
    blocks.append(answer_buttons(answer, language, ran))
    return fit(blocks, more(language)), fallback("\n".join(answer_lines(answer, language, ran)))


def headline_lines(answer: Answer, language: str) -> list[str]:
    metric = BY_NAME[answer.metric]
    value = format_value(answer.value, answer.unit, answer.currency, language)
    lines = [f"*{label(metric, language)}* · {format_period(answer.period, language)}: *{value}*"]
    if answer.compare is not None:
        before = format_value(answer.compare.value, answer.unit, answer.currency, language)
        lines.append(f"{mood_emoji(answer.compare.change, metric.direction)} "
                     f"{format_change(answer.compare.change, language)} {t('vs', language)} {before} "
                     f"({format_period(answer.compare.period, language)})")
    if answer.target is not None:
        lines.append(target_line(answer.target, answer.unit, answer.currency, language,
                                 answer.target.judged != answer.period))
    return lines


def table_lines(answer: Answer, language: str) -> list[str]:
    """The breakdown, its first rows when it is long (`--json` has every row)."""
    rows = answer.breakdown or ()
    lines = breakdown_table(rows[:BREAKDOWN_ROWS], answer.unit, answer.currency, language)
    if len(rows) > BREAKDOWN_ROWS:
        lines.append("  " + t("more_table_rows", language, n=len(rows) - BREAKDOWN_ROWS))
    return lines


def answer_buttons(answer: Answer, language: str, ran: str) -> Block:
    """Only the buttons that work for this KPI: a split its sources have, and a year-on-year comparison."""
    base = {"store": answer.store, "q": ran, "as_of": None}
    splits = splits_for(BY_NAME[answer.metric])
    offered = [(by, key) for by, key in (("channel", "button_by_channel"), ("device", "button_by_device"))
               if by in splits]
    return actions([*(button(t(key, language), f"kpi_by_{by}", base) for by, key in offered),
                    button(t("button_vs_ly", language), "kpi_vs_ly", base)])


def target_line(status: TargetStatus, unit: str, currency: str, language: str, with_period: bool = False) -> str:
    """A target's bounds and status; a monthly goal's pace, and with ``with_period`` the month to date it
    judged (an answer about another period says which days the pace is about)."""
    bounds = " – ".join(format_value(v, unit, currency, language) for v in (status.min, status.max) if v is not None)
    per = t("per_month", language) if status.period == "month" else ""
    text = f"{t('target', language)} {bounds}{per}: {t('status_' + status.status, language)}"
    if status.is_default:
        text += f" ({t('default', language)})"
    pace = pace_text(status, currency, language)
    if pace is not None and status.judged is not None:
        if with_period:
            pace = (f"{format_period(status.judged, language)}: "
                    f"{format_value(status.judged_value, unit, currency, language)}, {pace}")
        text += "; " + pace
    return text


def pace_text(status: TargetStatus, currency: str, language: str) -> str | None:
    """How far a monthly goal is, against where it should be by the last day it judged; None for other targets."""
    if status.pace is None or status.judged is None:
        return None
    return t("pace", language, pace=format_value(status.pace, "ratio", currency, language),
             day=format_day(status.judged.end, language))


def breakdown_table(rows: tuple[BreakdownRow, ...], unit: str, currency: str, language: str) -> list[str]:
    """Aligned two-column text, narrow enough for a phone."""
    cells = [(row.key[:26], format_value(row.value, unit, currency, language)) for row in rows]
    key_width = max((len(k) for k, _ in cells), default=0)
    value_width = max((len(v) for _, v in cells), default=0)
    return [f"  {key.ljust(key_width)}  {value.rjust(value_width)}" for key, value in cells]
