"""Ways the GA4 emulator can answer wrongly, declared as data, for fault-injection tests.

``state.misbehave("half_rows", times=1)`` makes the next request's answer a 200 with half
its rows; ``state.misbehave("drip", seconds=5)`` drips the next body one byte every 5 s.
Body modes rewrite the JSON answer (pure functions below); wire modes are carried out by
the server's handler, on a real socket.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

MODES: dict[str, str] = {
    "empty": "a 200 with no rows and no rowCount",
    "half_rows": "a 200 with half the rows and the full rowCount",
    "huge_row_count": "a 200 announcing rowCount `row_count` (10^9 unless given); later pages are empty",
    "non_finite": "a 200 with the first row's revenue (or first metric) replaced by `value` (NaN unless given)",
    "malformed_json": "a 200 whose body is not JSON",
    "truncated": "a 200 whose body stops halfway, though Content-Length promises all of it",
    "drip": "a 200 whose body arrives one byte every `seconds`",
    "stall": "nothing at all for `seconds`, then the normal answer",
    "reset": "the connection reset (TCP RST) with no answer",
    "retry_later": "a 429 saying to try again after `seconds`; with header=True in a Retry-After header instead",
}
WIRE_MODES = {"malformed_json", "truncated", "drip", "stall", "reset", "retry_later"}


@dataclass(frozen=True)
class Misbehaviour:
    mode: str
    seconds: float = 0.0
    value: str = "NaN"
    row_count: int = 10**9
    header: bool = False

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"unknown misbehaviour {self.mode!r}; known: {', '.join(MODES)}")


def _empty(payload: dict[str, Any], _: Misbehaviour) -> None:
    payload["rows"] = []
    payload.pop("rowCount", None)


def _half_rows(payload: dict[str, Any], _: Misbehaviour) -> None:
    payload["rows"] = payload["rows"][: len(payload["rows"]) // 2]


def _huge_row_count(payload: dict[str, Any], misbehaviour: Misbehaviour) -> None:
    payload["rowCount"] = misbehaviour.row_count


def _non_finite(payload: dict[str, Any], misbehaviour: Misbehaviour) -> None:
    if not payload["rows"]:
        return
    names = [header["name"] for header in payload["metricHeaders"]]
    index = names.index("purchaseRevenue") if "purchaseRevenue" in names else 0
    payload["rows"][0]["metricValues"][index] = {"value": misbehaviour.value}


BODY_MODES: dict[str, Callable[[dict[str, Any], Misbehaviour], None]] = {
    "empty": _empty, "half_rows": _half_rows, "huge_row_count": _huge_row_count, "non_finite": _non_finite,
}


def rewrite(payload: dict[str, Any], misbehaviour: Misbehaviour | None) -> dict[str, Any]:
    """The answer as a misbehaving GA4 would send it (body modes only)."""
    if misbehaviour is not None and misbehaviour.mode in BODY_MODES:
        BODY_MODES[misbehaviour.mode](payload, misbehaviour)
    return payload


def retry_later_message(misbehaviour: Misbehaviour) -> str:
    if misbehaviour.header:
        return "Exhausted property tokens per hour. Please retry later."
    return f"Exhausted property tokens per hour. Try again after {misbehaviour.seconds:g} seconds."
