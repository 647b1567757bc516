"""The digest's "Marketing automation" section in words: each flow role's KPI against its benchmark,
and the two email shares side by side with the line that says which is which."""

from __future__ import annotations

from bot.i18n import label, t
from bot.render.answers import target_line
from bot.render.formatting import format_period, format_value
from kpi.catalogue import BY_NAME
from kpi.settings import StoreSettings
from schedules.marketing import MarketingSection, RoleLine


def marketing_lines(section: MarketingSection | None, store: StoreSettings) -> list[str]:
    """The section's lines, opened by a blank line and its title; nothing without Klaviyo."""
    if section is None:
        return []
    language = store.language
    lines = ["", f"*{t('digest_marketing', language)}*", *(role_line(line, store) for line in section.roles)]
    shares = {name: format_value(value, "ratio", store.currency, language)
              for name, value in (("klaviyo", section.klaviyo_share), ("ga4", section.ga4_share))}
    lines.append(t("marketing_email_shares", language, period=format_period(section.shares_period, language),
                   **shares))
    lines.append(t("marketing_email_shares_why", language))
    return lines


def role_line(line: RoleLine, store: StoreSettings) -> str:
    language = store.language
    role = t(f"role_{line.role}", language)
    if not line.flows:
        return "• " + t("marketing_role_missing", language, role=role)
    metric = BY_NAME[line.metric]
    text = t("marketing_role_line", language, role=role, flows=", ".join(line.flows), kpi=label(metric, language),
             value=format_value(line.value, metric.unit, store.currency, language),
             period=format_period(line.period, language))
    if line.status is not None:
        text += " · " + target_line(line.status, metric.unit, store.currency, language)
    return "• " + text
