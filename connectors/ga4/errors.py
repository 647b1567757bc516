"""Every way a GA4 sync can fail, each as one English sentence that says what to do.

A failure's sentence starts with its class's ``opening``, so the stored text in
``sync_runs.error`` still tells which kind it was (``failure_kind``): ``/kpi status`` says
it again in the store's language. Sentences show URLs only through ``mask_url``.
"""

from __future__ import annotations

from datetime import date


class Ga4Failure(Exception):
    """Base of GA4 sync failures: user-facing, ``exit_code`` 1 (a runtime failure)."""

    exit_code = 1
    kind = "other"
    opening = ""
    requests = 0  # requests spent on the failed report, for the run log

    def __init__(self, detail: str) -> None:
        super().__init__(f"{self.opening}{detail}")


class Ga4ReportError(Ga4Failure):
    """The API refused this report (400): stop it, let the others go on."""

    kind = "refused"


class Ga4CheckError(Ga4ReportError):
    """GA4's answer failed a check: this report stops, the stored chunk stays as it was."""

    kind = "check"
    opening = "GA4's answer failed a check: "

    @classmethod
    def about(cls, report: str, start: date, end: date, detail: object, requests: int) -> Ga4CheckError:
        error = cls(f"the {report} report for {start} to {end} {detail}; the stored data was left as it "
                    "was: run kpibot sync again later, and if this persists look at the property in GA4")
        error.requests = requests
        return error


class Ga4AccessError(Ga4Failure):
    kind = "access"
    opening = "GA4 refused access to property "


class Ga4UnavailableError(Ga4Failure):
    """GA4 kept answering 5xx (bounded retries spent); the base of every network failure."""

    kind = "unavailable"
    opening = "GA4 kept failing at "


class Ga4QuotaExhausted(Ga4UnavailableError):
    """GA4 kept answering 429 with short waits until the attempts ran out."""

    kind = "quota"
    opening = "GA4's quota stayed exhausted at "


class Ga4UnreachableError(Ga4UnavailableError):
    kind = "unreachable"
    opening = "cannot reach GA4 at "


class Ga4TimeoutError(Ga4UnavailableError):
    kind = "timeout"
    opening = "GA4 did not answer in time at "


class Ga4MalformedError(Ga4UnavailableError):
    kind = "malformed"
    opening = "GA4 sent malformed answers at "


class Ga4RetryLater(Ga4UnavailableError):
    """GA4 asked for a longer wait than ``max_retry_wait``: end this run, keep what is stored."""

    kind = "retry_later"
    opening = "GA4 asks to wait "


class Ga4QuotaLow(Ga4Failure):
    """The property's hourly tokens are nearly spent: stop before GA4 starts refusing."""

    kind = "quota_low"
    opening = "GA4's hourly quota is nearly spent for property "


KINDS_BY_OPENING = tuple((cls.opening, cls.kind) for cls in
                         (Ga4CheckError, Ga4UnreachableError, Ga4TimeoutError, Ga4MalformedError, Ga4RetryLater,
                          Ga4QuotaExhausted, Ga4UnavailableError, Ga4AccessError, Ga4QuotaLow))


def failure_kind(message: str) -> str | None:
    """The kind of a stored failure sentence (also inside "report: sentence; ..."), or None."""
    for opening, kind in KINDS_BY_OPENING:
        if opening in message:
            return kind
    return None
