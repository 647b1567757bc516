"""Which flow plays which role (welcome, abandoned cart, post-purchase, win-back).

Configured names win; roles the config leaves out are recognised from flow names in
English and Italian. Pure functions over the flow list, so check-config and the sync agree.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from connectors.klaviyo.parse import Flow
from kpi.settings import FLOW_ROLES

PATTERNS: dict[str, re.Pattern[str]] = {
    "welcome": re.compile(r"\bwelcome\b|\bbenvenut[oaie]\b"),
    "abandoned_cart": re.compile(r"\babandon\w*( shopping)? (cart|checkout)\b|\bcart abandon\w*"
                                 r"|\bcarrell\w* abbandonat\w*|\babbandono (del )?carrello\b"),
    "post_purchase": re.compile(r"\bpost ?purchase\b|\bpost ?acquisto\b|\bdopo l ?acquisto\b"),
    "winback": re.compile(r"\bwin ?back\b|\briattivazione\b|\briconquista\b"),
}


@dataclass
class RoleMatch:
    roles: dict[str, str] = field(default_factory=dict)  # flow id -> role
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (role, configured name) matching no flow
    missing: list[str] = field(default_factory=list)  # roles with no flow

    def flows_for(self, role: str, flows: Sequence[Flow]) -> list[Flow]:
        return [flow for flow in flows if self.roles.get(flow.flow_id) == role]


def normalise(name: str) -> str:
    """Lower case, accents and punctuation folded, so "Post-Acquisto" and "post acquisto" agree."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9']+", " ", folded).replace("'", " ").split())


def recognise(name: str) -> str | None:
    text = normalise(name)
    return next((role for role in FLOW_ROLES if PATTERNS[role].search(text)), None)


def assign_roles(flows: Sequence[Flow], configured: Mapping[str, tuple[str, ...]]) -> RoleMatch:
    match = RoleMatch()
    by_name: dict[str, list[Flow]] = {}
    for flow in flows:
        by_name.setdefault(normalise(flow.name), []).append(flow)
    for role, names in configured.items():
        for name in names:
            found = by_name.get(normalise(name), [])
            if not found:
                match.unmatched.append((role, name))
            match.roles.update({flow.flow_id: role for flow in found})
    for flow in flows:
        guess = recognise(flow.name)
        if flow.flow_id not in match.roles and guess and guess not in configured and not flow.archived:
            match.roles[flow.flow_id] = guess
    match.missing = [role for role in FLOW_ROLES if role not in match.roles.values()]
    return match
