"""The shop's own sales KPIs (issue 14): net sales, orders, AOV, refunds, discounts, basket size.

They read the orders every order source stores (Shopify, WooCommerce, CSV), under the one
rule of ``connectors.orders.rules``: net revenue = total − refunded of the orders that
count, on the day each was placed. ``by product`` and ``by product_type`` split revenue,
orders and units by the orders' line items.
"""

from __future__ import annotations

from kpi.metric import Metric
from kpi.metric import sum_of as _s

SHOP_METRICS: tuple[Metric, ...] = (
    Metric("shop_revenue", "Shop net sales", "Fatturato negozio",
           ("fatturato-negozio", "vendite-nette", "net-sales", "shop-sales"),
           _s("net_revenue", "shop"), unit="currency", source="shop orders",
           formula="Σ (total − refunded) of the orders that count"),
    Metric("shop_orders", "Shop orders", "Ordini negozio", ("ordini-negozio", "store-orders"),
           _s("orders", "shop"), source="shop orders", formula="orders that count"),
    Metric("shop_aov", "Shop average order value", "Scontrino medio negozio",
           ("scontrino-medio-negozio", "scontrino-negozio", "aov-negozio"),
           _s("net_revenue", "shop"), _s("orders", "shop"), unit="currency", source="shop orders",
           formula="shop_revenue / shop_orders"),
    Metric("refund_rate", "Refund rate", "Tasso di rimborso",
           ("tasso-rimborso", "tasso-rimborsi", "rimborsi", "refunds"),
           _s("refunded", "shop"), _s("gross", "shop"), unit="ratio", direction="down", source="shop orders",
           formula="refunded / gross total of the orders sold (counted or fully refunded)"),
    Metric("discount_rate", "Discount rate", "Tasso di sconto", ("tasso-sconto", "sconti", "discounts"),
           _s("discounts", "shop"), _s("list_value", "shop"), unit="ratio", direction="down",
           source="shop orders", formula="discounts / (gross total + discounts) of the orders sold"),
    Metric("shop_units", "Units sold", "Pezzi venduti", ("pezzi-venduti", "articoli-venduti", "units-sold"),
           _s("units", "shop"), source="shop orders", formula="units in the line items of the orders that count"),
    Metric("items_per_order", "Items per order", "Articoli per ordine",
           ("articoli-per-ordine", "pezzi-per-ordine", "units-per-order", "upt"),
           _s("units", "shop"), _s("orders_with_lines", "shop"), unit="average", source="shop orders",
           formula="units / orders that count (those with line items)"),
)
