"""``[stores.klaviyo]`` and ``[stores.meta_ads]``: typed, validated, and checked against the environment.

Called from ``bot.config.loader`` for each store. A variable name is checked, never the secret it
holds: messages name the variable and say what to do, and never quote a value that could be
the secret pasted in by mistake.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Any

from bot.config.problems import Problems
from connectors.klaviyo.roles import assign_roles
from connectors.klaviyo.store import flows_in_warehouse
from kpi.settings import FLOW_ROLES, KlaviyoSettings, MetaAdsSettings, Settings

KLAVIYO_KEYS = {"key_env", "flows"}
META_ADS_KEYS = {"account_id", "token_env"}
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,63}$")
ACCOUNT_ID = re.compile(r"^act_\d{1,20}$")
KLAVIYO_KEY_PREFIX = "pk_"




def parse_klaviyo(problems: Problems, label: str, raw: Any) -> KlaviyoSettings | None:
    if raw is None:
        return None
    key = f"{label}.klaviyo"
    if not isinstance(raw, dict):
        problems.add(key, "must be a table ([stores.klaviyo]) with key_env = \"KLAVIYO_KEY_...\"", None)
        return None
    problems.unknown_keys(f"{key}.", raw, KLAVIYO_KEYS)
    key_env = _env_name(problems, f"{key}.key_env", raw.get("key_env"), "KLAVIYO_KEY_NEGOZIO")
    flows = _flow_roles(problems, f"{key}.flows", raw.get("flows", {}))
    return KlaviyoSettings(key_env=key_env, flows=flows) if key_env else None


def parse_meta_ads(problems: Problems, label: str, raw: Any) -> MetaAdsSettings | None:
    if raw is None:
        return None
    key = f"{label}.meta_ads"
    if not isinstance(raw, dict):
        problems.add(key, "must be a table ([stores.meta_ads]) with account_id and token_env", None)
        return None
    problems.unknown_keys(f"{key}.", raw, META_ADS_KEYS)
    account = raw.get("account_id")
    if not isinstance(account, str) or not ACCOUNT_ID.match(account):
        shown = account if isinstance(account, str | int) and len(str(account)) <= 32 else None
        problems.add(f"{key}.account_id", "must be the ad account id as \"act_\" and its digits, "
                     "such as \"act_1234567890\" (Meta Business Settings > Ad accounts)", shown)
        account = None
    token_env = _env_name(problems, f"{key}.token_env", raw.get("token_env"), "META_TOKEN_NEGOZIO")
    return MetaAdsSettings(account_id=account, token_env=token_env) if account and token_env else None


def _env_name(problems: Problems, key: str, value: Any, example: str) -> str | None:
    if isinstance(value, str) and ENV_NAME.match(value):
        return value
    # Never echo the value: it may be the secret itself, pasted where its variable's name belongs.
    problems.add(key, f"must name an environment variable, such as \"{example}\" (the name, never the "
                 "secret itself)", None)
    return None


def _flow_roles(problems: Problems, key: str, raw: Any) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(raw, dict):
        problems.add(key, "must be a table of role = \"Flow name\" (or a list of names)", None)
        return ()
    roles = []
    for role, names in raw.items():
        if role not in FLOW_ROLES:
            close = difflib.get_close_matches(role, FLOW_ROLES, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.items.append(f"{problems.file}: {key}.{role} is not a flow role{hint} "
                                  f"(roles: {', '.join(FLOW_ROLES)})")
            continue
        listed = [names] if isinstance(names, str) else names
        if not isinstance(listed, list) or not listed or not all(isinstance(n, str) and n.strip() for n in listed):
            problems.add(f"{key}.{role}", "must be a flow name, or a list of flow names, as Klaviyo shows them",
                         names)
            continue
        roles.append((role, tuple(name.strip() for name in listed)))
    return tuple(roles)


def marketing_environment_problems(settings: Settings, environ: Mapping[str, str]) -> list[str]:
    """Each configured source whose secret variable is missing, named by store and variable."""
    problems = []
    for store in settings.stores:
        if store.klaviyo:
            name = store.klaviyo.key_env
            value = environ.get(name, "")
            if not value:
                problems.append(f"{store.name}: [stores.klaviyo] key_env names {name}, which is not set: export "
                                f"{name} with the store's Klaviyo private API key (see 'Connect Klaviyo')")
            elif not value.startswith(KLAVIYO_KEY_PREFIX):
                problems.append(f"{store.name}: {name} does not hold a Klaviyo private API key (those start with "
                                f"{KLAVIYO_KEY_PREFIX!r}): copy it again from Klaviyo > Settings > API keys")
        if store.meta_ads and not environ.get(store.meta_ads.token_env):
            name = store.meta_ads.token_env
            problems.append(f"{store.name}: [stores.meta_ads] token_env names {name}, which is not set: export "
                            f"{name} with a system-user access token that has ads_read (see 'Connect Meta Ads')")
    return problems


def flow_roles_report(settings: Settings) -> tuple[list[str], list[str]]:
    """(problems, lines): which synced flow got which role, and configured names that match no flow."""

    problems, lines = [], []
    file = settings.source.name if settings.source else "kpibot.toml"
    for index, store in enumerate(settings.stores):
        if not store.klaviyo:
            continue
        flows, synced_at = flows_in_warehouse(settings.database, store.name)
        if not flows:
            lines.append(f"{store.name}: Klaviyo flow roles are listed here after the first 'kpibot sync'")
            continue
        match = assign_roles(flows, dict(store.klaviyo.flows))
        names = [flow.name for flow in flows]
        for role, name in match.unmatched:
            close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
            hint = f"did you mean {close[0]!r}?" if close else f"flows: {', '.join(names)}"
            problems.append(f"{file}: stores[{index}] ({store.name}).klaviyo.flows.{role} names {name!r}, which "
                            f"matches no Klaviyo flow (flows synced {synced_at}); {hint}")
        found = [f"{role} = " + ", ".join(repr(f.name) for f in match.flows_for(role, flows))
                 for role in FLOW_ROLES if role not in match.missing]
        missing = f"; no flow found for {', '.join(match.missing)}" if match.missing else ""
        lines.append(f"{store.name}: Klaviyo flow roles: {'; '.join(found) or 'none'}{missing}")
    return problems, lines
