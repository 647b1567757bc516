"""Answers, digests and findings as JSON: the shapes of SPEC §6 (`--json` on the CLI)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from bot.i18n import caveat_text
from kpi.answer import Answer
from schedules.digest import Digest
from schedules.findings import Finding


def answer_json(answer: Answer) -> dict[str, Any]:
    """Exactly SPEC §6's object: unrounded values, fractions for ratios, caveats in English."""
    out: dict[str, Any] = {
        "store": answer.store,
        "metric": answer.metric,
        "period": answer.period.to_json(),
        "value": answer.value,
        "unit": answer.unit,
        "currency": answer.currency,
        "compare": answer.compare.to_json() if answer.compare else None,
    }
    if answer.breakdown is not None:
        out["breakdown"] = [row.to_json() for row in answer.breakdown]
    out["target"] = answer.target.to_json() if answer.target else None
    out["caveats"] = [caveat_text(caveat, "en") for caveat in answer.caveats]
    return out


def digest_json(digest: Digest) -> dict[str, Any]:
    split = digest.split
    return {
        "store": digest.store.name, "date": digest.day.isoformat(), "provisional": digest.provisional,
        "data_through": digest.data_through,
        "revenue_change": {"change": split.change, "factors": split.factors, "shares": split.shares,
                           "log_parts": split.log_parts},
        "kpis": [vars(line) for line in digest.kpis],
        "targets": [{"metric": c.metric, "value": c.value, **c.status.to_json()} for c in digest.targets],
        "anomalies": [a.to_json() for a in digest.anomalies],
        "shop": None if digest.shop is None else {
            "kpis": [vars(line) for line in digest.shop.kpis],
            "tracking": asdict(digest.shop.tracking) | {"day": digest.shop.tracking.day.isoformat()},
            "other_currency": digest.shop.other_currency},
    }


def findings_json(store: str, findings: list[Finding]) -> dict[str, Any]:
    return {"store": store, "findings": [asdict(f) | {"day": f.day.isoformat()} for f in findings]}
