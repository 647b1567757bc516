"""The digest's shop section in words: the tracking gap line, and the orders left out for their currency.

The shop KPIs themselves are KPI lines like the main ones (``bot.render.digest.kpi_text``).
"""

from __future__ import annotations

from bot.i18n import caveat_text, t
from bot.render.formatting import format_value
from kpi.caveats import Caveat
from kpi.orders.tracking import TrackingCheck
from kpi.settings import StoreSettings
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
