"""Marketing KPIs (issue 15): Klaviyo's email flows and campaigns, Meta's spend, ad cost over every platform.

Email KPIs count the email channel only (``by send_channel`` sets SMS beside it); a flow
role's KPI counts the email messages of every flow with that role. Ad cost over every
platform is GA4's Google Ads cost plus Meta's own spend in the store's currency; GA4's other
ad cost (cost imported into GA4, Paid Social above all) counts only while no Meta source has
data, so nothing is counted twice (the platform rule is in ``connectors/tables.py``).
"""

from __future__ import annotations

from kpi.metric import STORE_CURRENCY, FirstOf, Metric, Sum, Total, entry_of
from kpi.metric import sum_of as _s

EMAIL = "email"


def _email(measure: str) -> Total:
    """Email flows and email campaigns together."""
    return Total((_s(measure, "klaviyo_flows", send_channel=EMAIL), _s(measure, "klaviyo_campaigns",
                                                                       send_channel=EMAIL)))


def _role(measure: str, role: str) -> Sum:
    """The email messages of the flows with ``role``."""
    return _s(measure, "klaviyo_flows", send_channel=EMAIL, role=role)


AD_COST = Total((_s("ad_cost", "ads", platform="google"),
                 FirstOf((_s("spend", "meta_ads", currency=STORE_CURRENCY), _s("ad_cost", "ads", platform="other")))))
AD_COST_SOURCE = "GA4 ads report + Meta"
SHOP_REVENUE = FirstOf((_s("revenue", "orders"), _s("revenue")))  # the shop's own orders, else GA4's
META_MONEY = {"currency": STORE_CURRENCY}

MARKETING_METRICS: tuple[Metric, ...] = (
    Metric("email_attributed_revenue", "Email attributed revenue", "Fatturato attribuito all'email",
           ("fatturato-email", "ricavi-email", "email-revenue", "fatturato-klaviyo"),
           _email("conversion_value"), unit="currency", source="Klaviyo",
           formula="Σ conversion value of email flows and email campaigns"),
    Metric("email_attributed_share", "Email share of revenue (Klaviyo)", "Quota fatturato email (Klaviyo)",
           ("quota-email-klaviyo", "email-attributed-share", "klaviyo-share"),
           _email("conversion_value"), SHOP_REVENUE, unit="ratio", source="Klaviyo + orders (or GA4)",
           formula="email attributed revenue / shop revenue (GA4 revenue when no shop source)"),
    Metric("email_open_rate", "Email open rate", "Tasso di apertura email",
           ("tasso-apertura-email", "tasso-apertura", "open-rate", "aperture-email"),
           _email("opens_unique"), _email("delivered"), unit="ratio", source="Klaviyo",
           formula="Σ unique opens / Σ delivered, email flows and campaigns"),
    Metric("email_click_rate", "Email click rate", "Tasso di clic email",
           ("tasso-clic-email", "tasso-di-clic", "click-rate", "clic-email"),
           _email("clicks_unique"), _email("delivered"), unit="ratio", source="Klaviyo",
           formula="Σ unique clicks / Σ delivered, email flows and campaigns"),
    Metric("welcome_open_rate", "Welcome flow open rate", "Apertura flusso di benvenuto",
           ("apertura-benvenuto", "tasso-apertura-benvenuto", "welcome-open-rate", "benvenuto"),
           _role("opens_unique", "welcome"), _role("delivered", "welcome"), unit="ratio", source="Klaviyo",
           formula="unique opens / delivered of the welcome flows' emails"),
    Metric("cart_recovery_rate", "Abandoned-cart recovery rate", "Tasso di recupero carrelli",
           ("recupero-carrelli", "tasso-recupero-carrelli", "cart-recovery", "carrelli-recuperati"),
           _role("conversion_uniques", "abandoned_cart"),
           entry_of("recipients", "klaviyo_flows", send_channel=EMAIL, role="abandoned_cart"),
           unit="ratio", source="Klaviyo",
           formula="unique conversions of the abandoned-cart flows' emails / recipients of each flow's entry "
                   "email (its email with the most recipients in the period)"),
    Metric("cart_recovery_revenue", "Revenue from abandoned carts", "Fatturato dai carrelli recuperati",
           ("fatturato-carrelli", "fatturato-recupero-carrelli", "recovered-revenue", "ricavi-carrelli"),
           _role("conversion_value", "abandoned_cart"), unit="currency", source="Klaviyo",
           formula="Σ conversion value of the abandoned-cart flows' emails"),
    Metric("repurchase_30d", "Repurchase within 30 days", "Riacquisto entro 30 giorni",
           ("riacquisto-entro-30-giorni", "riacquisto-30gg", "repeat-30d"),
           _s("repurchased_30d", "orders"), _s("customers", "orders"), unit="ratio", source="orders",
           formula="customers with an order in the period and another on a later day within 30 days / "
                   "customers with an order in the period"),
    Metric("winback_rate", "Win-back rate", "Tasso di riattivazione",
           ("tasso-riattivazione", "riattivazione", "clienti-riattivati", "win-back"),
           _s("won_back", "orders"), _s("lapsed_customers", "orders"), unit="ratio", source="orders",
           formula="customers lapsed at the period's start (no order in the 180 days before) who ordered in "
                   "the period / customers lapsed at the period's start"),
    Metric("meta_spend", "Meta ad spend", "Spesa Meta", ("spesa-meta", "spesa-facebook", "facebook-spend"),
           _s("spend", "meta_ads", **META_MONEY), unit="currency", direction="down", source="Meta Ads",
           formula="Σ Meta spend (accounts in the store's currency)"),
    Metric("meta_roas", "Meta ROAS", "ROAS Meta", ("roas-meta", "roas-facebook"),
           _s("purchase_value", "meta_ads", **META_MONEY), _s("spend", "meta_ads", **META_MONEY),
           unit="multiple", source="Meta Ads", formula="Meta purchase value / Meta spend"),
    Metric("mer", "Marketing efficiency ratio", "Rapporto di efficienza marketing",
           ("marketing-efficiency-ratio", "efficienza-marketing", "blended-roas", "roas-complessivo"),
           SHOP_REVENUE, AD_COST, unit="multiple", source="orders (or GA4) + " + AD_COST_SOURCE,
           formula="shop revenue (GA4 revenue when no shop source) / ad cost over every platform"),
)

# Which KPI judges each flow role in the digest's "Marketing automation" section.
ROLE_KPIS: dict[str, str] = {"welcome": "welcome_open_rate", "abandoned_cart": "cart_recovery_rate",
                             "post_purchase": "repurchase_30d", "winback": "winback_rate"}
