"""Builds the official GA4 Data API client from the environment."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from connectors.ga4 import deadline as ga4_deadline
from connectors.redact import mask_url


class Ga4SetupError(Exception):
    exit_code = 2


def build_client(environ: Mapping[str, str]) -> Any:
    """A ``BetaAnalyticsDataClient``.

    With ``KPIBOT_GA4_ENDPOINT`` set to an ``http://`` URL (a proxy or the emulator) it
    uses the REST transport and anonymous credentials, with a real total deadline per
    request (``connectors.ga4.deadline``); otherwise gRPC (whose ``timeout=`` already is
    one) and the service-account key in ``GOOGLE_APPLICATION_CREDENTIALS``.
    """
    from google.analytics.data_v1beta import BetaAnalyticsDataClient
    from google.api_core.client_options import ClientOptions

    endpoint = environ.get("KPIBOT_GA4_ENDPOINT", "").strip()
    if endpoint:
        _check_endpoint(endpoint)
    if endpoint.startswith("http://"):
        from google.auth.credentials import AnonymousCredentials

        client = BetaAnalyticsDataClient(
            credentials=AnonymousCredentials(), transport="rest",
            client_options=ClientOptions(api_endpoint=endpoint.rstrip("/")),
        )
        ga4_deadline.install(client)
        return client
    key_file = environ.get("GOOGLE_APPLICATION_CREDENTIALS", "")
    if not key_file:
        raise Ga4SetupError(
            "GOOGLE_APPLICATION_CREDENTIALS is not set: point it to the GA4 service-account key file "
            "(see 'Connect GA4' in the README), or set KPIBOT_GA4_ENDPOINT to use the emulator."
        )
    from google.oauth2 import service_account

    try:
        credentials = service_account.Credentials.from_service_account_file(
            key_file, scopes=["https://www.googleapis.com/auth/analytics.readonly"])
    except (OSError, ValueError) as error:
        raise Ga4SetupError(
            f"cannot read the service-account key file {key_file} ({type(error).__name__}): "
            "download a JSON key for the service account and set GOOGLE_APPLICATION_CREDENTIALS to it."
        ) from None
    options = ClientOptions(api_endpoint=endpoint) if endpoint else None
    return BetaAnalyticsDataClient(credentials=credentials, client_options=options)


def _check_endpoint(endpoint: str) -> None:
    """Refuse an endpoint that cannot be a URL before any request shows it back raw."""
    try:
        parts = urlsplit(endpoint)
        usable = parts.scheme in ("http", "https") and bool(parts.hostname)
        parts.port  # noqa: B018 - raises ValueError on a port out of range
    except ValueError:
        usable = False
    if not usable:
        raise Ga4SetupError(f"KPIBOT_GA4_ENDPOINT is not a usable URL ({mask_url(endpoint)}): set it to "
                            "http://HOST:PORT of the emulator or proxy, or unset it to reach GA4 directly")
