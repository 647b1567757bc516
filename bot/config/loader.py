"""Loading and validating ``kpibot.toml`` (SPEC §4) into typed settings.

Every problem is collected and reported at once, each naming the file, the store and
the key, what is allowed and what was found. Secrets never live in the file.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.config import calendar as config_calendar
from bot.config.alerts import ALERT_KEYS, alert_defaults, alert_settings
from bot.config.marketing import parse_klaviyo, parse_meta_ads
from bot.config.problems import ConfigError, Problems
from bot.config.secrets import SECRETS_HINT, secrets_in
from bot.config.shops import shop_sources
from bot.config.targets import RULE_KEYS, Problem, check_rule, check_target, metric_problem
from connectors.engine.location import is_postgres_url, location_problem
from connectors.ga4.credentials import service_account_email
from connectors.redact import mask_url, secret_kind
from kpi.settings import RelativeRule, Settings, StoreSettings, Target

GLOBAL_KEYS = {"database", "language", "timezone", "admins", "max_retry_wait", "takeover_seconds", *ALERT_KEYS}
STORE_KEYS = {"name", "ga4_property", "currency", "timezone", "language", "channels", "digest_channel",
              "digest_time", "alert_channel", "margin", "ltv_months", "targets", "shopify", "woocommerce",
              "klaviyo", "meta_ads", "country", "events", "alert_rules", *ALERT_KEYS}
TARGET_KEYS = {"min", "max", "period"}
LANGUAGES = ("it", "en")
TAKEOVER_DEFAULT = Settings.takeover_seconds  # 45 s: a lease, with the heartbeat, sweep and claim that follow
TAKEOVER_RANGE = (3, 600)  # a heartbeat (a third of it) between 1 s and 200 s
CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,}$")
USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def config_path(explicit: str | None, environ: Mapping[str, str], cwd: Path) -> Path:
    """--config, then $KPIBOT_CONFIG, then ./kpibot.toml."""
    if explicit:
        return Path(explicit)
    if environ.get("KPIBOT_CONFIG"):
        return Path(environ["KPIBOT_CONFIG"])
    return cwd / "kpibot.toml"


def load_settings(path: Path, environ: Mapping[str, str] | None = None) -> Settings:
    """The settings of ``path``; ``KPIBOT_DATABASE_URL`` in ``environ`` wins over ``[kpibot] database``."""
    if not path.exists():
        raise ConfigError([f"{path}: no such config file; create one with "
                           f"'cp kpibot.example.toml kpibot.toml' and edit it, or pass --config PATH"])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"{path.name}: is not valid TOML: {error}"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError([f"{path}: cannot be read ({error})"]) from None
    return parse_settings(data, path, (environ or {}).get("KPIBOT_DATABASE_URL") or None)


def parse_settings(data: Mapping[str, Any], path: Path, database_url: str | None = None) -> Settings:
    problems = Problems(path.name)
    for where, kind in secrets_in(data):
        problems.items.append(f"{problems.file}: {where} looks like a secret ({kind}): {SECRETS_HINT}")
    root = data.get("kpibot", {})
    if not isinstance(root, dict):
        problems.add("kpibot", "must be a table ([kpibot])", root)
        root = {}
    problems.unknown_keys("", data, {"kpibot", "stores"})
    problems.unknown_keys("kpibot.", root, GLOBAL_KEYS)
    language = _choice(problems, "kpibot.language", root.get("language", "it"), LANGUAGES)
    timezone = _timezone(problems, "kpibot.timezone", root.get("timezone", "Europe/Rome"))
    database = _database(problems, root.get("database", "kpibot.db"), database_url)
    max_retry_wait = _retry_wait(problems, root.get("max_retry_wait"))
    takeover = _takeover(problems, root.get("takeover_seconds", TAKEOVER_DEFAULT))
    raw_stores = data.get("stores", [])
    if not isinstance(raw_stores, list) or not raw_stores:
        problems.add("stores", "must list at least one store as [[stores]]", raw_stores or None)
        raw_stores = []
    alerts = alert_defaults(problems, root)
    stores = [_store(problems, f"stores[{i}]", raw, language, timezone, alerts) for i, raw in enumerate(raw_stores)]
    names = [store.name for store in stores]
    for name in {n for n in names if names.count(n) > 1}:
        problems.add("stores", f"have the same name {name!r} more than once; names must be unique", None)
    admins = _admins(problems, root.get("admins", []))
    problems.raise_if_any()
    return Settings(database=_located(database, path), language=language, timezone=timezone, stores=tuple(stores),
                    source=path, admins=admins, max_retry_wait=max_retry_wait, takeover_seconds=takeover)


def _database(problems: Problems, value: Any, url: str | None) -> str:
    """``[kpibot] database``, or ``KPIBOT_DATABASE_URL`` (which wins): a file path or a postgresql:// URL."""
    if url is not None:
        problem = location_problem(url)
        if problem is None and is_postgres_url(url):
            return url
        # the variable's value is never shown: it is where a password may sit
        problems.items.append("KPIBOT_DATABASE_URL must be a postgresql:// URL such as "
                              "postgresql://kpibot@db.example.com:5432/kpibot (a SQLite file goes in [kpibot] "
                              "database instead)")
    if not isinstance(value, str) or not value:
        problems.add("kpibot.database", "must be a file path such as \"kpibot.db\" or a postgresql:// URL", value)
        return "kpibot.db"
    problem = location_problem(value)
    if problem:
        problems.add("kpibot.database", problem, mask_url(value) if "://" in value else value)
        return "kpibot.db"
    return value


def _located(database: str, config: Path) -> Path | str:
    """A URL as it is; a relative file path from the config file's folder."""
    if is_postgres_url(database):
        return database
    return Path(database) if Path(database).is_absolute() else config.parent / database


def _choice(problems: Problems, key: str, value: Any, allowed: tuple[str, ...]) -> str:
    if value in allowed:
        return str(value)
    problems.add(key, f"must be one of {' | '.join(allowed)}", value)
    return allowed[0]


def _timezone(problems: Problems, key: str, value: Any) -> str:
    try:
        ZoneInfo(str(value))
        return str(value)
    except (ZoneInfoNotFoundError, ValueError):
        problems.add(key, "must be an IANA timezone such as \"Europe/Rome\" or \"America/New_York\"", value)
        return "UTC"


def _store(problems: Problems, key: str, raw: Any, language: str, timezone: str,
           alerts: Mapping[str, int]) -> StoreSettings:
    if not isinstance(raw, dict):
        problems.add(key, "must be a table ([[stores]])", raw)
        return StoreSettings(name=f"<{key}>", ga4_property="")
    problems.unknown_keys(f"{key}.", raw, STORE_KEYS)
    name = raw.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", name) or secret_kind(name):
        problems.add(f"{key}.name", "must be a short name of letters, digits, '-', '_' or '.'", name)
        name = f"<{key}>"
    label = f"{key} ({name})" if not name.startswith("<") else key
    prop = raw.get("ga4_property")
    if not isinstance(prop, str | int) or not str(prop).isdigit():
        problems.add(f"{label}.ga4_property", "must be the numeric GA4 property id, such as \"123456789\"", prop)
    channels = _channels(problems, label, raw.get("channels", []))
    shopify, woocommerce = shop_sources(problems, label, raw)
    return StoreSettings(
        name=name, ga4_property=str(prop or ""),
        currency=_currency(problems, f"{label}.currency", raw.get("currency", "EUR")),
        timezone=_timezone(problems, f"{label}.timezone", raw.get("timezone", timezone)),
        language=_choice(problems, f"{label}.language", raw.get("language", language), LANGUAGES),
        channels=channels,
        digest_channel=_channel_ref(problems, label, "digest_channel", raw.get("digest_channel"), channels),
        digest_time=_clock_time(problems, f"{label}.digest_time", raw.get("digest_time", "08:00")),
        alert_channel=_channel_ref(problems, label, "alert_channel", raw.get("alert_channel"), channels),
        margin=_number(problems, f"{label}.margin", raw.get("margin", 0.30), 0.0, 1.0, "a fraction such as 0.30"),
        ltv_months=_months(problems, f"{label}.ltv_months", raw.get("ltv_months", 12)),
        targets=_targets(problems, f"{label}.targets", raw.get("targets", {})),
        shopify=shopify, woocommerce=woocommerce,
        klaviyo=parse_klaviyo(problems, label, raw.get("klaviyo")),
        meta_ads=parse_meta_ads(problems, label, raw.get("meta_ads")),
        country=config_calendar.country(problems, f"{label}.country", raw.get("country")),
        events=config_calendar.planned_events(problems, f"{label}.events", raw.get("events", [])),
        **alert_settings(problems, label, raw, alerts),
        alert_rules=_alert_rules(problems, f"{label}.alert_rules", raw.get("alert_rules")),
    )


def _retry_wait(problems: Problems, value: Any) -> float | None:
    """``kpibot.max_retry_wait``: the longest wait GA4 may ask for before this run gives up."""
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 3600:
        return float(value)
    problems.add("kpibot.max_retry_wait", "must be a number of seconds between 0 and 3600, such as 300", value)
    return None


def _takeover(problems: Problems, value: Any) -> float:
    """``kpibot.takeover_seconds``: how long a dead process's leases outlive it (``schedules.leasing.Timing``)."""
    low, high = TAKEOVER_RANGE
    if isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high:
        return float(value)
    problems.add("kpibot.takeover_seconds", f"must be a number of seconds between {low} and {high}, such as "
                 f"{TAKEOVER_DEFAULT:g}", value)
    return TAKEOVER_DEFAULT


def _currency(problems: Problems, key: str, value: Any) -> str:
    from babel.numbers import get_currency_name

    if isinstance(value, str) and re.fullmatch(r"[A-Z]{3}", value) and get_currency_name(value) != value:
        return value
    problems.add(key, "must be an ISO 4217 currency code such as \"EUR\" or \"USD\"", value)
    return "EUR"


def _channels(problems: Problems, label: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(c, str) and CHANNEL_ID.match(c) for c in value):
        problems.add(f"{label}.channels", "must be a list of Slack channel ids such as [\"C0123ABCD\"]", value)
        return ()
    return tuple(value)


def _channel_ref(problems: Problems, label: str, name: str, value: Any, channels: tuple[str, ...]) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not CHANNEL_ID.match(value):
        problems.add(f"{label}.{name}", "must be a Slack channel id such as \"C0123ABCD\"", value)
        return None
    if channels and value not in channels:
        problems.add(f"{label}.{name}", f"must also be listed in {label}.channels", value)
    return value


def _clock_time(problems: Problems, key: str, value: Any) -> time:
    if isinstance(value, str) and re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value):
        return time(int(value[:2]), int(value[3:]))
    problems.add(key, "must be a local time as \"HH:MM\", such as \"08:00\"", value)
    return time(8, 0)


def _number(problems: Problems, key: str, value: Any, low: float, high: float, what: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high and value > 0:
        return float(value)
    problems.add(key, f"must be {what}, between {low:g} and {high:g}", value)
    return high


def _months(problems: Problems, key: str, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 120:
        return value
    problems.add(key, "must be a whole number of months between 1 and 120", value)
    return 12


def _targets(problems: Problems, key: str, raw: Any) -> tuple[Target, ...]:
    if not isinstance(raw, dict):
        problems.add(key, "must be a table of KPI = { min = ..., max = ... }", raw)
        return ()
    targets = []
    for metric, bounds in raw.items():
        if secret_kind(metric):  # reported by secrets_in, without quoting it
            continue
        unknown = metric_problem(metric)
        if unknown is not None:
            hint = f"; did you mean {unknown.params['close']!r}?" if unknown.params else \
                "; run 'kpibot ask list' for the KPI names"
            problems.items.append(f"{problems.file}: {key}.{metric} is not a KPI{hint}")
            continue
        target = _target(problems, f"{key}.{metric}", metric, bounds)
        if target:
            targets.append(target)
    return tuple(targets)


def _target(problems: Problems, key: str, metric: str, bounds: Any) -> Target | None:
    if bounds == {}:  # written by `kpibot targets --export` for a target switched off (a default one too)
        return Target(metric)
    if not isinstance(bounds, dict) or not ({"min", "max"} & set(bounds)):
        problems.add(key, "must be a table with min and/or max, such as { min = 0.015 }, or {} to switch it off",
                     bounds)
        return None
    problems.unknown_keys(f"{key}.", bounds, TARGET_KEYS)
    target, found = check_target(metric, bounds)
    _add_all(problems, key, found)
    return target


def _alert_rules(problems: Problems, key: str, raw: Any) -> tuple[RelativeRule, ...] | None:
    """``[[stores.alert_rules]]``: absent means the defaults; an empty list switches relative alerts off."""
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(rule, dict) for rule in raw):
        problems.add(key, "must be a list of tables ([[stores.alert_rules]]) with metric, drop and min_volume",
                     raw)
        return None
    rules = []
    for index, entry in enumerate(raw):
        problems.unknown_keys(f"{key}[{index}].", entry, RULE_KEYS)
        rule, found = check_rule(entry)
        _add_all(problems, f"{key}[{index}]", found)
        if rule is not None:
            rules.append(rule)
    return tuple(rules)


def _add_all(problems: Problems, key: str, found: list[Problem]) -> None:
    """Problems of a target or an alert rule, in the words Slack's targets form uses too (English here)."""
    for problem in found:
        problems.add(f"{key}.{problem.where}" if problem.where else key, problem.text("en"), problem.got)


def environment_problems(environ: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """(problems, warnings) about the environment, never quoting a secret's value."""
    problems: list[str] = []
    warnings: list[str] = []
    for name, prefix in (("SLACK_BOT_TOKEN", "xoxb-"), ("SLACK_APP_TOKEN", "xapp-")):
        value = environ.get(name)
        if value and not value.startswith(prefix):
            problems.append(f"{name} does not start with {prefix!r}: copy it again from the Slack app settings")
    if not environ.get("SLACK_BOT_TOKEN"):
        warnings.append("SLACK_BOT_TOKEN is not set: needed for 'kpibot serve' and '--post'")
    if not environ.get("SLACK_SIGNING_SECRET") and not environ.get("SLACK_APP_TOKEN"):
        warnings.append("SLACK_SIGNING_SECRET is not set: needed for 'kpibot serve' over HTTP")
    key_file = environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    if key_file and secret_kind(key_file):
        problems.append(f"GOOGLE_APPLICATION_CREDENTIALS holds what looks like {secret_kind(key_file)} itself: "
                        "set it to the path of the key file, never its contents")
        key_file = None
    if key_file and not os.path.isfile(key_file):
        problems.append(f"GOOGLE_APPLICATION_CREDENTIALS points to {key_file}, which does not exist")
    elif key_file:

        email = service_account_email(environ)
        if email is None:
            problems.append(f"{key_file} is not a service-account key (no client_email): download a JSON key "
                            "for the service account again")
        else:
            warnings.append(f"GA4 reads as {email}: it must be a Viewer of every store's GA4 property")
    if not environ.get("GOOGLE_APPLICATION_CREDENTIALS") and not environ.get("KPIBOT_GA4_ENDPOINT"):
        warnings.append("GOOGLE_APPLICATION_CREDENTIALS is not set: needed for 'kpibot sync'")
    for name in ("KPIBOT_GA4_ENDPOINT", "KPIBOT_SLACK_API_URL", "KPIBOT_KLAVIYO_ENDPOINT", "KPIBOT_META_ENDPOINT"):
        value = environ.get(name)
        if value and not _is_url(value):
            problems.append(f"{name} must be a URL starting with http:// or https://, such as "
                            f"http://127.0.0.1:8765, got {_shown_url(value)}")
    return problems, warnings


def _admins(problems: Problems, value: Any) -> tuple[str, ...]:
    """``[kpibot] admins``: Slack user ids who may see every store (App Home, buttons)."""
    if not isinstance(value, list) or not all(isinstance(u, str) and USER_ID.match(u) for u in value):
        # The value is not echoed: a pasted token must never be printed back.
        problems.add("kpibot.admins", "must be a list of Slack user ids such as [\"U0123ABCD\"] (in Slack: a "
                     "person's profile > ⋮ > Copy member ID)", None)
        return ()
    return tuple(value)


def _is_url(value: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(value.strip())
        return parts.scheme in ("http", "https") and bool(parts.hostname) and (parts.port or 0) >= 0
    except ValueError:
        return False


def _shown_url(value: str) -> str:
    """A bad URL as it may be shown: not at all when it may hold a password or a secret."""
    if "@" in value or secret_kind(value):
        return "a value not shown here because it may hold a password"
    return repr(mask_url(value))
