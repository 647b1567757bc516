"""What the KPI maths reads, and nothing more: a narrow interface the warehouse implements.

``kpi/`` never sees SQL, table names or a database handle. It asks a ``KpiReader`` for sums
of stored measures by source (``sessions``, ``users``, ``ads``), for the orders that count,
and for how far the data reaches, then computes on plain numbers and frames. The SQLite
warehouse implements it in ``connectors/reader.py`` (and so can any other engine).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from datetime import date
from typing import Protocol

import pandas as pd


class KpiReader(Protocol):
    def sums(self, store: str, source: str, measure: str, start: date, end: date, *, by: str | None = None,
             where: Mapping[str, str] | None = None) -> dict[str, float]:
        """Σ ``measure`` over [start, end] per value of ``by`` (or under the key ``""``); ``where``
        keeps only rows whose dimensions equal the given values."""
        ...

    def daily(self, store: str, source: str, measure: str, start: date, end: date, *, by: Sequence[str] = (),
              where: Mapping[str, str] | None = None) -> pd.DataFrame:
        """Σ ``measure`` per day (and per ``by`` column): columns ``date`` (ISO text), ``by``..., ``value``.
        Days without rows are absent."""
        ...

    def days_with_data(self, store: str, source: str, start: date, end: date) -> set[date]:
        """The days of [start, end] that have any stored row of ``source``."""
        ...

    def data_span(self, store: str, source: str) -> tuple[date, date] | None:
        """The first and the last day stored for ``source`` (how far the data reaches), or None."""
        ...

    def quality_flags(self, store: str, start: date, end: date) -> set[str]:
        """What the source said about the data of [start, end]: ``thresholded``, ``other_row``, ``sampled``."""
        ...

    def counted_orders(self, store: str) -> pd.DataFrame:
        """Every order that counts, from every order source: ``customer``, ``date`` (ISO), ``total`` (net)."""
        ...

    def orders_version(self, store: str) -> Hashable:
        """A key that changes whenever the store's orders may have changed (for caching)."""
        ...

    # --- the shop's own sales (issue 14) ---
    def shop_sales(self, store: str, start: date, end: date, *, by: str | None = None) -> pd.DataFrame:
        """Sums of the orders placed in [start, end], from every order source: one row per key of ``by``
        (None: one row keyed ``""``; ``date``; ``product``; ``product_type``), none without orders.
        Columns ``key``, ``orders`` (counted), ``net_revenue`` (total − refunded of counted orders),
        ``units`` and ``orders_with_lines``; by order (not by product) also ``gross``, ``refunded`` and
        ``discounts`` of the sold orders (counted or fully refunded) and ``list_value`` (total + discounts
        of the sold orders that report discounts). By product, ``net_revenue`` is the line items' amount
        after discounts (before refunds, without shipping) and ``orders`` those that hold the product."""
        ...

    def other_currency_orders(self, store: str, start: date, end: date) -> dict[str, int]:
        """Orders of [start, end] kept but left out of every sum for their currency: count per currency."""
        ...
