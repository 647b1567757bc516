"""What the diagnosis rules read about one store's day, fetched only when a rule asks for it.

Segments come from the same reads and baselines as the anomaly contributors (so "mainly
Referral" and "bot traffic from Referral" agree); the shop's own orders from the order
sources behind ``tracking_gap``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from kpi.anomalies.contributors import SegmentMove, read_segments, segment_moves
from kpi.anomalies.detect import SEGMENT_HISTORY_DAYS
from kpi.answer import Period
from kpi.catalogue import BY_NAME
from kpi.compute import TOTAL, part_sums
from kpi.reader import KpiReader
from kpi.settings import StoreSettings


class StoreDay:
    """``kpi.anomalies.diagnosis.Facts`` for one store and day, read through the ``KpiReader``."""

    def __init__(self, db: KpiReader, store: StoreSettings, day: date) -> None:
        self.db, self.store, self.day = db, store, day
        self._segments: dict[tuple[str, str], list[SegmentMove]] = {}

    def segments(self, metric: str, dimension: str) -> Sequence[SegmentMove]:
        if (metric, dimension) not in self._segments:
            span = Period(self.day - timedelta(days=SEGMENT_HISTORY_DAYS), self.day)
            read = read_segments(self.db, self.store, BY_NAME[metric], span)
            for name in read.numerators:
                self._segments[(metric, name)] = segment_moves(read, name, self.day)
            self._segments.setdefault((metric, dimension), [])
        return self._segments.get((metric, dimension), [])

    def shop_orders(self) -> tuple[float, float] | None:
        gap, day = BY_NAME["tracking_gap"], Period(self.day, self.day)
        assert gap.denominator is not None
        shop = part_sums(self.db, self.store, gap.denominator, day).get(TOTAL)
        if not shop:
            return None
        return shop, part_sums(self.db, self.store, gap.numerator, day).get(TOTAL, 0.0)
