"""Targets and alert rules in words (`/kpi targets`, `kpibot targets`, `check-config`) and the
modal admins edit them in. Every value says where it comes from: kpibot.toml, Slack (who,
when, and what the file says), or kpibot's defaults.

The modal's block ids name what each input edits (``t|<kpi>|min``, ``r|<n>|drop``…): the
listener that reads a submission (``bot.slack.self_service.targets``) parses them back.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from bot.i18n import label, t
from bot.render.answers import pace_text
from bot.render.blocks import (
    HOME_BLOCKS,
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
    plain,
    section,
)
from bot.render.formatting import format_day, format_period, format_value
from kpi.catalogue import BY_NAME, CATALOGUE
from kpi.settings import RelativeRule, StoreSettings, Target
from kpi.targets import TargetCheck
from schedules.targets import Origin, TargetEntry, TargetSettings

CALLBACK = "kpibot_targets"
EDIT_ACTION = "targets_edit"
NEW = "new"
MAX_RULES = 5  # rules editable in the modal; a file with more is edited in the file
PERIODS = ("week", "month")  # the select's values: None (the last 7 days) is "week"


def target_block(metric: str, part: str) -> str:
    return f"t|{metric}|{part}"


def rule_block(index: int | str, part: str) -> str:
    return f"r|{index}|{part}"


def plain_number(value: float | None) -> str | None:
    """A number as typed back into a form: ``0.015``, ``60``, never ``6e+01``."""
    if value is None:
        return None
    return str(int(value)) if value == int(value) and abs(value) < 1e15 else repr(value)


def bounds_text(target: Target, store: StoreSettings, language: str) -> str:
    unit = BY_NAME[target.metric].unit
    bounds = " – ".join(format_value(v, unit, store.currency, language) for v in (target.min, target.max)
                        if v is not None)
    return bounds + (t("per_month", language) if target.period == "month" else "")


def when_text(stamp: str | None, language: str) -> str:
    if not stamp:
        return "–"
    moment = datetime.fromisoformat(stamp).astimezone(UTC)
    return f"{format_day(moment.date(), language)} {moment:%H:%M} UTC"


def origin_text(entry: TargetEntry, store: StoreSettings, language: str) -> str:
    origin = entry.origin
    if origin.source != "slack":
        return t("origin_file" if origin.source == "file" else "origin_default", language)
    key = "origin_slack" if entry.target is not None else "origin_off"
    said = t(key, language, user=origin.set_by, when=when_text(origin.set_at, language))
    says = "origin_file_says" if entry.file_source == "file" else "origin_default_says"
    file = t(says, language, bounds=bounds_text(entry.file_target, store, language)) \
        if entry.file_target else t("origin_file_silent", language)
    return f"{said}; {file}"


def rule_origin_text(origin: Origin, language: str) -> str:
    if origin.source == "slack":
        return t("origin_slack", language, user=origin.set_by, when=when_text(origin.set_at, language))
    return t("origin_file" if origin.source == "file" else "origin_default", language)


def rule_text(rule: RelativeRule, store: StoreSettings, language: str) -> str:
    volume_metric = BY_NAME[rule.volume_of]
    return t("rule_text", language, metric=label(BY_NAME[rule.metric], language),
             drop=format_value(rule.drop, "ratio", store.currency, language).replace(",00", "").replace(".00", ""),
             volume_metric=label(volume_metric, language),
             volume=format_value(rule.min_volume, volume_metric.unit, store.currency, language))


def target_line(entry: TargetEntry, check: TargetCheck | None, store: StoreSettings, language: str) -> str:
    metric = BY_NAME[entry.metric]
    bounds = bounds_text(entry.target, store, language) if entry.target else t("target_off", language)
    line = f"• *{label(metric, language)}* {bounds} (_{origin_text(entry, store, language)}_)"
    if check is not None and entry.target is not None:
        value = format_value(check.value, metric.unit, store.currency, language)
        line += f": {value} · {format_period(check.period, language)}, {t('status_' + check.status.status, language)}"
        pace = pace_text(check.status, store.currency, language)
        if pace is not None:
            line += "; " + pace
    return line


def targets_lines(view: TargetSettings, checks: Sequence[TargetCheck], language: str) -> list[str]:
    """Every target in force (and every one switched off from Slack), then the relative alert rules."""
    store, by_metric = view.store, {check.metric: check for check in checks}
    lines = [target_line(entry, by_metric.get(entry.metric), store, language) for entry in view.targets]
    lines = lines or [t("targets_none", language)]
    lines.append(f"*{t('targets_rules', language)}* (_{rule_origin_text(view.rules_origin, language)}_)")
    lines += [f"• {rule_text(rule, store, language)}" for rule in view.rules] or [f"• {t('rules_none', language)}"]
    return lines


def targets_message(view: TargetSettings, checks: Sequence[TargetCheck], language: str) -> tuple[list[Block], str]:
    title = t("targets_title", language, store=view.store.name)
    lines = targets_lines(view, checks, language)
    blocks = [header(title), *line_sections(lines, more(language))]
    return fit(blocks, more(language)), fallback("\n".join([title, *lines]))


def edit_button(store: str, language: str) -> Block:
    return actions([button(t("button_edit_targets", language), EDIT_ACTION, {"store": store})])


# ---- the modal ------------------------------------------------------------------------------------------------


def kpi_options(language: str) -> list[dict[str, Any]]:
    return [option(f"{label(m, language)} ({m.name})", m.name) for m in CATALOGUE]


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def period_options(language: str) -> list[dict[str, Any]]:
    return [option(t("period_week", language), "week"), option(t("period_month", language), "month")]


def number_input(block_id: str, text: str, value: float | None) -> Block:
    element: Block = {"type": "number_input", "is_decimal_allowed": True, "action_id": "value"}
    if value is not None:
        element["initial_value"] = plain_number(value)
    return {"type": "input", "block_id": block_id, "optional": True, "label": plain(text, 2000), "element": element}


def select_input(block_id: str, text: str, options: list[dict[str, Any]], chosen: str | None) -> Block:
    element: Block = {"type": "static_select", "action_id": "value", "options": options}
    picked = next((o for o in options if o["value"] == chosen), None)
    if picked is not None:
        element["initial_option"] = picked
    return {"type": "input", "block_id": block_id, "optional": True, "label": plain(text, 2000), "element": element}


def target_inputs(metric: str, target: Target | None, language: str, new: bool = False) -> list[Block]:
    name = t("modal_new_target", language) if new else label(BY_NAME[metric], language)
    key = NEW if new else metric
    return [*([select_input(target_block(NEW, "metric"), name, kpi_options(language), None)] if new else []),
            number_input(target_block(key, "min"), t("modal_min", language, kpi=name), target.min if target else None),
            number_input(target_block(key, "max"), t("modal_max", language, kpi=name), target.max if target else None),
            select_input(target_block(key, "period"), t("modal_period", language, kpi=name),
                         period_options(language), (target.period or "week") if target else None)]


def rule_inputs(index: int | str, rule: RelativeRule | None, language: str) -> list[Block]:
    n = index + 1 if isinstance(index, int) else "+"
    return [select_input(rule_block(index, "metric"), t("modal_rule_metric", language, n=n), kpi_options(language),
                         rule.metric if rule else None),
            number_input(rule_block(index, "drop"), t("modal_rule_drop", language, n=n), rule.drop if rule else None),
            number_input(rule_block(index, "volume"), t("modal_rule_volume", language, n=n),
                         rule.min_volume if rule else None),
            select_input(rule_block(index, "volume_metric"), t("modal_rule_volume_metric", language, n=n),
                         kpi_options(language), rule.volume_metric if rule else None)]


def targets_modal(view: TargetSettings, language: str, channel: str) -> dict[str, Any]:
    """The form: every target in force (as many as fit), a new one, the alert rules and a new rule."""
    store = view.store
    rules_fit = len(view.rules) <= MAX_RULES
    rule_blocks: list[Block] = [section(t("modal_rules", language))]
    if rules_fit:
        for index, rule in enumerate(view.rules):
            rule_blocks += rule_inputs(index, rule, language)
        rule_blocks += rule_inputs(NEW, None, language)
    room = (HOME_BLOCKS - 1 - 4 - len(rule_blocks) - 1) // 3  # intro, a new target, the rules, a "more" note
    blocks: list[Block] = [section(t("modal_intro", language, store=store.name)[:SECTION_LIMIT])]
    for entry in view.targets[:room]:
        blocks += target_inputs(entry.metric, entry.target, language)
    if len(view.targets) > room:
        blocks.append(context(t("modal_more", language, n=len(view.targets) - room)))
    blocks += target_inputs(NEW, None, language, new=True)
    blocks += rule_blocks if rules_fit else [context(t("modal_rules_file", language, max=MAX_RULES))]
    return {"type": "modal", "callback_id": CALLBACK, "title": plain(t("modal_targets_title", language), 24),
            "submit": plain(t("modal_save", language), 24), "close": plain(t("modal_close", language), 24),
            "private_metadata": json.dumps({"store": store.name, "channel": channel}), "blocks": blocks}


def notice_modal(text: str, language: str) -> dict[str, Any]:
    """What replaces the form when a submission is refused: the reason, and no way to submit."""
    return {"type": "modal", "callback_id": CALLBACK, "title": plain(t("modal_targets_title", language), 24),
            "close": plain(t("modal_close", language), 24), "blocks": [section(text)]}
