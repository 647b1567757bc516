"""Keeping secrets out of what kpibot shows: masked URLs, and recognising secret-shaped text.

``mask_url`` is the one function that shows a URL anywhere (errors, stderr, ``sync_runs``,
``/kpi status``, logs). ``secret_kind`` names the kind of secret a value looks like, so a
message can say *what* it saw without ever quoting it.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

MASK = "***"
URL_IN_TEXT = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"<>()]+")
# user:password@ right after a scheme, whatever characters the password holds (even quotes)
PASSWORD_IN_TEXT = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/\s@]*):[^@\s]*@")
SECRET_QUERY_KEYS = re.compile(r"(key|token|secret|password|passwd|pwd|sig|signature|auth|credential)", re.I)

# (kind, pattern searched anywhere in the value). The first match names the kind.
SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern)) for kind, pattern in (
        ("a Slack bot token (xoxb-)", r"\bxoxb-"),
        ("a Slack user token (xoxp-)", r"\bxoxp-"),
        ("a Slack workspace or legacy token (xoxa-/xoxo-/xoxs-)", r"\bxox[aos]-"),
        ("a Slack refresh or rotating token (xoxr-/xoxe-)", r"\bxox[re][.-]"),
        ("a Slack app-level token (xapp-)", r"\bxapp-"),
        ("a private key (-----BEGIN ...)", r"-----BEGIN"),
        ("a service-account key (JSON with private_key)", r"\"private_key\"|\"service_account\""),
        ("a Stripe secret key (sk_/rk_)", r"\b[sr]k_(live|test)_"),
        ("a Stripe publishable key (pk_)", r"\bpk_(live|test)_"),
        ("a Shopify access token (shpat_/shpss_/shpca_/shppa_)", r"\bshp(at|ss|ca|pa)_"),
        ("a WooCommerce consumer key (ck_)", r"\bck_[0-9a-f]{20,}"),
        ("a WooCommerce consumer secret (cs_)", r"\bcs_[0-9a-f]{20,}"),
        ("a Meta access token (EAA...)", r"\bEAA[A-Za-z0-9]{20,}"),
        ("a Google API key (AIza...)", r"\bAIza[0-9A-Za-z_-]{30,}"),
        ("a Google OAuth token (ya29.)", r"\bya29\.[0-9A-Za-z_-]{10,}"),
        ("a GitHub token (ghp_...)", r"\bgh[pousr]_[A-Za-z0-9]{30,}"),
        ("an AWS access key id (AKIA...)", r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
        ("a JSON Web Token (eyJ...)", r"\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\."),
        ("a URL with a password", r"[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:[^/\s@]+@"),
    )
)
TOKEN_CHARACTERS = re.compile(r"^[A-Za-z0-9+/=_-]{32,}$")
HEX = re.compile(r"^[0-9a-fA-F]{32,}$")
MIN_HEX_ENTROPY = 3.0  # bits per character: 32 random hex digits give ~3.7, "aaaa..." gives 0
MIN_TOKEN_ENTROPY = 4.0  # random base62/base64 gives ~4.5-5, names and paths ~3-3.7


def secret_kind(value: str) -> str | None:
    """The kind of secret ``value`` looks like (for a message), or None.

    Known prefixes first; then 32+ hexadecimal digits (a signing secret); then a long run of
    token characters that is random-looking (see ``_random_looking``).
    """
    for kind, pattern in SECRET_PATTERNS:
        if pattern.search(value):
            return kind
    text = value.strip()
    if HEX.match(text) and _entropy(text) >= MIN_HEX_ENTROPY:
        return "a long hexadecimal secret (like a signing secret)"
    if _random_looking(text):
        return "a long random-looking string (an API key or secret)"
    return None


def _random_looking(text: str) -> bool:
    """32+ token characters with letters and digits, mixed case or unbroken, and high entropy.

    No dot or space (so not a file name or a sentence); a ``/`` means a path unless the value
    ends in base64 padding; lower-case words joined by ``_``/``-`` are names, not keys.
    """
    if not TOKEN_CHARACTERS.match(text) or ("/" in text and not text.endswith("=")):
        return False
    if not (re.search(r"\d", text) and re.search(r"[A-Za-z]", text)):
        return False
    mixed_case = re.search(r"[a-z]", text) and re.search(r"[A-Z]", text)
    unbroken = re.fullmatch(r"[A-Za-z0-9]{40,}", text)
    return bool(mixed_case or unbroken) and _entropy(text) >= MIN_TOKEN_ENTROPY


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def mask_url(url: str) -> str:
    """``url`` with its password and any secret-looking query values replaced by ``***``."""
    if "://" not in url:  # not a URL at all ("user:pass@host"): hide all before the last @
        return f"{MASK}@{url.rsplit('@', 1)[1]}" if "@" in url else url
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            userinfo, host = netloc.rsplit("@", 1)
            user = userinfo.split(":", 1)[0]
            netloc = f"{user}:{MASK}@{host}" if ":" in userinfo else f"{MASK}@{host}"
        query = parts.query
        if query:
            pairs = parse_qsl(query, keep_blank_values=True)
            query = urlencode([(k, MASK if SECRET_QUERY_KEYS.search(k) else v) for k, v in pairs], safe="*")
        masked = urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
        # a URL with no host (postgresql:///db?host=/run/socket) keeps its "//"
        return masked if netloc else masked.replace(f"{parts.scheme}:", f"{parts.scheme}://", 1)
    except ValueError:
        return _mask_unparseable(url)


def _mask_unparseable(url: str) -> str:
    """A URL ``urlsplit`` refuses (a bad port, a bracket): still hide everything before ``@``."""
    scheme, _, rest = url.partition("://")
    if "@" in rest.split("/", 1)[0]:
        rest = f"{MASK}@" + rest.split("@", 1)[1]
    return f"{scheme}://{rest}" if rest or scheme else url


def mask_urls_in(text: str) -> str:
    """``text`` with every URL in it masked: for exception texts we did not write ourselves."""
    text = PASSWORD_IN_TEXT.sub(lambda match: f"{match.group('head')}:{MASK}@", text)
    return URL_IN_TEXT.sub(lambda match: mask_url(match.group(0)), text)


WORD = re.compile(r"[^\s'\"<>(){}\[\],;|]{8,}")  # a run that could be a token: no space, quote or bracket


def redact_text(text: str, known: Iterable[str] = ()) -> str:
    """``text`` safe to log: each of the ``known`` secret values, every URL's password and secret
    query values, and any word that looks like a secret (``secret_kind``) become ``***``."""
    for secret in known:
        if len(secret) >= 8:
            text = text.replace(secret, MASK)
    text = mask_urls_in(text)
    return WORD.sub(_masked_word, text)


def _masked_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if MASK in word:  # a URL masked above: readable as it is
        return word
    return MASK if secret_kind(word.rstrip(".:")) else word
