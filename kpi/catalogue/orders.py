"""Order-based KPIs (SPEC §5.2, §7): customers, repurchase, LTV, CAC and more."""

from __future__ import annotations

from kpi.catalogue.marketing import AD_COST
from kpi.metric import Metric
from kpi.metric import sum_of as _s

ORDER_METRICS: tuple[Metric, ...] = (
    Metric("customers", "Customers", "Clienti", ("clienti", "acquirenti", "buyers"),
           _s("customers", "orders"), source="orders", formula="distinct customers with an order"),
    Metric("new_customers", "New customers", "Nuovi clienti", ("nuovi-clienti", "first-time-customers"),
           _s("new_customers", "orders"), source="orders",
           formula="customers whose first order falls in the period"),
    Metric("repurchase_rate", "Repurchase rate", "Tasso di riacquisto",
           ("tasso-riacquisto", "tasso-di-riacquisto", "riacquisto", "repeat-rate"),
           _s("repeat_customers", "orders"), _s("customers", "orders"), unit="ratio", source="orders",
           formula="customers with 2+ orders in the period / customers"),
    Metric("purchase_frequency", "Purchase frequency", "Frequenza di acquisto",
           ("frequenza-acquisto", "frequenza-di-acquisto", "frequency"),
           _s("orders", "orders"), _s("customers", "orders"), unit="multiple", source="orders",
           formula="orders / customers"),
    Metric("ltv", "Customer lifetime value", "Valore del cliente",
           ("valore-cliente", "lifetime-value", "clv", "valore-nel-tempo"),
           _s("ltv_revenue", "orders"), _s("new_customers", "orders"), unit="currency", source="orders",
           formula="for customers whose first order is in the period: mean revenue in the ltv_months "
                   "from that first order, included"),
    Metric("cac", "Customer acquisition cost", "Costo di acquisizione cliente",
           ("costo-acquisizione", "costo-acquisizione-cliente"),
           AD_COST, _s("new_customers", "orders"), unit="currency", direction="down",
           source="GA4 + Meta + orders", formula="ad_cost / new_customers"),
    Metric("cac_budget", "CAC budget (on LTV)", "Budget CAC (su LTV)", ("budget-cac", "cac-max"),
           _s("ltv_revenue", "orders"), _s("new_customers", "orders"), transform="times_margin",
           unit="currency", source="config + orders", formula="margin × ltv"),
    Metric("cac_budget_first_order", "CAC budget (on first order)", "Budget CAC (primo ordine)",
           ("budget-cac-primo-ordine",),
           _s("first_order_revenue", "orders"), _s("first_orders", "orders"), transform="times_margin",
           unit="currency", source="config + orders", formula="margin × AOV of first orders"),
    Metric("aov_new", "AOV of first orders", "Scontrino medio nuovi clienti",
           ("scontrino-nuovi", "aov-nuovi"),
           _s("first_order_revenue", "orders"), _s("first_orders", "orders"), unit="currency", source="orders",
           formula="revenue of first orders / first orders"),
    Metric("aov_returning", "AOV of repeat orders", "Scontrino medio clienti di ritorno",
           ("scontrino-ritorno", "aov-ritorno"),
           _s("returning_revenue", "orders"), _s("returning_orders", "orders"), unit="currency",
           source="orders", formula="revenue of later orders / later orders"),
    Metric("tracking_gap", "Tracking gap", "Ordini non tracciati", ("gap-tracciamento", "ordini-persi"),
           _s("orders"), _s("orders", "orders"), transform="one_minus", unit="ratio", direction="down",
           source="GA4 + orders", formula="1 − GA4 orders / shop orders"),
)
