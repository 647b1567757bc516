"""The demo shop's order export: what its shop platform would hand over as a generic CSV.

A few more orders than GA4 saw each day (consent and ad blockers hide some from the tag),
a third of them from returning customers, so the order KPIs have something to say.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from connectors.demo.shop import DemoShop
from connectors.demo.shop_orders import orders_taken

UNTRACKED = 0.06  # the share of orders GA4 never sees
RETURNING = 0.35


def write_demo_orders(shop: DemoShop, path: Path, seed: int = 11) -> int:
    rng = np.random.default_rng(seed)
    daily = orders_taken(shop)
    lines = ["order_id,customer_id,created_at,total,currency,status"]
    customers = 0
    for day, tracked in daily.items():
        count = int(round(tracked / (1 - UNTRACKED)))
        returning = rng.random(count) < RETURNING
        stamp = f"{day[:4]}-{day[4:6]}-{day[6:]}"
        for index in range(count):
            if returning[index] and customers:
                customer = int(rng.integers(0, customers))
            else:
                customer, customers = customers, customers + 1
            status = "refunded" if rng.random() < 0.03 else "paid"
            lines.append(f"D{len(lines)},C{customer},{stamp}T{10 + index % 12:02d}:00:00+01:00,"
                         f"{rng.gamma(6.0, 13.0):.2f},EUR,{status}")
    path.write_text("\n".join(lines) + "\n")
    return len(lines) - 1
