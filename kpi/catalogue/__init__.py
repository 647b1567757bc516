"""The KPI catalogue: one declarative entry per KPI (SPEC §7).

Adding a KPI means adding an entry here (GA4), in ``orders.py`` (customers), ``shop.py`` (the
shop's own sales) or ``marketing.py`` (Klaviyo, Meta). Ad cost, and the KPIs built on it, count
every ad platform (``AD_COST``).
"""

from __future__ import annotations

from kpi.catalogue.marketing import AD_COST, AD_COST_SOURCE, MARKETING_METRICS
from kpi.catalogue.orders import ORDER_METRICS
from kpi.catalogue.shop import SHOP_METRICS
from kpi.metric import Metric
from kpi.metric import sum_of as _s

GA4_METRICS: tuple[Metric, ...] = (
    Metric("revenue", "Revenue", "Fatturato", ("fatturato", "ricavi", "sales", "vendite"),
           _s("revenue"), unit="currency", formula="Σ purchase revenue"),
    Metric("orders", "Orders", "Ordini", ("ordini", "purchases", "acquisti", "transactions"),
           _s("orders"), formula="Σ purchases"),
    Metric("aov", "Average order value", "Scontrino medio",
           ("scontrino-medio", "valore-medio-ordine", "average-order-value", "basket"),
           _s("revenue"), _s("orders"), unit="currency", formula="revenue / orders"),
    Metric("sessions", "Sessions", "Sessioni", ("sessioni", "traffic", "traffico", "visits", "visite"),
           _s("sessions"), formula="Σ sessions"),
    Metric("users", "Users", "Utenti", ("utenti", "visitors", "visitatori"),
           _s("total_users", "users"), formula="Σ users at day grain"),
    Metric("new_users", "New users", "Nuovi utenti", ("nuovi-utenti", "new-visitors"),
           _s("new_users", "users"), formula="Σ new users at day grain"),
    Metric("cvr", "Conversion rate", "Tasso di conversione",
           ("tasso-conversione", "tasso-di-conversione", "conversion-rate", "conversione", "cr"),
           _s("orders"), _s("sessions"), unit="ratio", formula="orders / sessions"),
    Metric("revenue_per_session", "Revenue per session", "Fatturato per sessione",
           ("rps", "fatturato-per-sessione", "valore-sessione"),
           _s("revenue"), _s("sessions"), unit="currency", formula="revenue / sessions"),
    Metric("bounce_rate", "Bounce rate", "Frequenza di rimbalzo",
           ("frequenza-rimbalzo", "rimbalzo", "bounce"),
           _s("engaged_sessions"), _s("sessions"), transform="one_minus", unit="ratio",
           direction="down", formula="1 − engaged sessions / sessions"),
    Metric("cart_to_order", "Cart-to-order rate", "Da carrello a ordine",
           ("carrello-ordine", "cart-conversion"),
           _s("orders"), _s("add_to_carts"), unit="ratio", formula="orders / add-to-carts"),
    Metric("checkout_abandonment", "Checkout abandonment", "Abbandono del checkout",
           ("abbandono-checkout", "abbandono-carrello", "abandonment", "abbandono"),
           _s("orders"), _s("checkouts"), transform="one_minus", unit="ratio", direction="down",
           formula="1 − orders / checkouts"),
    Metric("email_revenue_share", "Email share of revenue", "Quota fatturato email",
           ("email-share", "quota-email", "email"),
           _s("revenue", channel="Email"), _s("revenue"), unit="ratio",
           formula="revenue where channel = Email / revenue"),
    Metric("sms_revenue_share", "SMS share of revenue", "Quota fatturato SMS",
           ("sms-share", "quota-sms", "sms"),
           _s("revenue", channel="SMS"), _s("revenue"), unit="ratio",
           formula="revenue where channel = SMS / revenue"),
    Metric("mobile_share", "Mobile share of sessions", "Quota sessioni mobile",
           ("quota-mobile", "mobile"),
           _s("sessions", device="mobile"), _s("sessions"), unit="ratio",
           formula="sessions where device = mobile / sessions"),
    Metric("new_visitor_share", "New visitor share", "Quota nuovi visitatori",
           ("quota-nuovi", "new-share"),
           _s("sessions", visitor="new"), _s("sessions"), unit="ratio",
           formula="sessions of new visitors / sessions"),
    Metric("ad_cost", "Ad cost", "Spesa pubblicitaria", ("spesa-ads", "costo-ads", "ad-spend", "spesa"),
           AD_COST, unit="currency", direction="down", source=AD_COST_SOURCE,
           formula="Σ ad cost over every platform: Google Ads (GA4) + Meta"),
    Metric("ad_clicks", "Ad clicks", "Clic sugli annunci", ("clic", "clicks", "click"),
           _s("ad_clicks", "ads"), source="GA4 ads report", formula="Σ advertiser ad clicks"),
    Metric("cpc", "Cost per click", "Costo per clic", ("costo-per-clic", "costo-clic"),
           _s("ad_cost", "ads"), _s("ad_clicks", "ads"), unit="currency", direction="down",
           source="GA4 ads report", formula="ad_cost / ad_clicks"),
    Metric("ecpc", "Revenue per click", "Fatturato per clic", ("fatturato-per-clic", "epc"),
           _s("revenue"), _s("ad_clicks", "ads"), unit="currency", source="GA4",
           formula="revenue / ad_clicks"),
    Metric("cpa", "Cost per acquisition", "Costo per acquisizione", ("costo-per-acquisizione",),
           AD_COST, _s("key_events"), unit="currency", direction="down", source="GA4 + Meta",
           formula="ad_cost / key events"),
    Metric("cpo", "Cost per order", "Costo per ordine", ("costo-per-ordine",),
           AD_COST, _s("orders"), unit="currency", direction="down", source="GA4 + Meta",
           formula="ad_cost / orders"),
    Metric("roas", "Return on ad spend", "Ritorno sulla spesa pubblicitaria",
           ("ritorno-spesa-ads", "return-on-ad-spend"),
           _s("revenue"), AD_COST, unit="multiple", source="GA4 + Meta", formula="revenue / ad_cost"),
    Metric("roi", "Return on investment", "Ritorno sull'investimento", ("ritorno-investimento",),
           _s("revenue"), AD_COST, transform="minus_one", unit="ratio", source="GA4 + Meta",
           formula="(revenue − ad_cost) / ad_cost"),
)

CATALOGUE: tuple[Metric, ...] = GA4_METRICS + ORDER_METRICS
CATALOGUE += SHOP_METRICS  # the shop's own sales (kpi/catalogue/shop.py)
CATALOGUE += MARKETING_METRICS  # Klaviyo, Meta and ad cost over every platform (kpi/catalogue/marketing.py)

BY_NAME: dict[str, Metric] = {metric.name: metric for metric in CATALOGUE}
