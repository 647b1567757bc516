"""The digest's optional sections in words, each only when its source is connected.

- the shop section: the tracking gap line, and the orders left out for their currency (the shop
  KPIs themselves are KPI lines like the main ones, ``bot.render.digest.kpi_text``);
- "Marketing automation": each flow role's KPI against its benchmark, and the two email shares
  side by side with the line that says which is which.
"""

from __future__ import annotations

from bot.i18n import caveat_text, label, t
from bot.render.answers import target_line
from bot.render.formatting import format_period, format_value
from kpi.catalogue import BY_NAME
from kpi.caveats import Caveat
from kpi.orders.tracking import TrackingCheck
from kpi.settings import StoreSettings
from schedules.marketing import MarketingSection, RoleLine
from schedules.shop_digest import ShopDigest


def tracking_line(check: TrackingCheck, language: str) -> str:
    """Every day: how many of the shop's orders GA4 saw; a warning that says what to check when it jumped."""
    def ratio(value: float | None) -> str:
        return format_value(value, "ratio", "", language)

    def count(value: float) -> str:
        return format_value(value, "count", "", language)

    if check.gap is None:
        return t("tracking_no_orders", language, ga4=count(check.ga4_orders))
    params = {"ga4": count(check.ga4_orders), "shop": count(check.shop_orders), "gap": ratio(check.gap)}
    if check.median is None:
        return t("tracking_line_new", language, **params)
    key = "tracking_jump" if check.jumped else "tracking_line"
    return t(key, language, median=ratio(check.median), **params)


def currency_lines(shop: ShopDigest, store: StoreSettings) -> list[str]:
    """One line per other currency whose orders of the day are left out of the figures above."""
    return [":information_source: " + caveat_text(Caveat("other_currency", {
        "currency": code, "count": count, "store_currency": store.currency}), store.language)
        for code, count in shop.other_currency.items()]


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
