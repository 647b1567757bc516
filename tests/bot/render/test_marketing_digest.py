"""The digest's "Marketing automation" section and `/kpi status`'s flow roles, in the store's language."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache

import pytest

from bot.render.digest import digest_lines, digest_message
from bot.render.formatting import format_period, format_value
from bot.replies import command_text
from connectors.klaviyo.store import save_flows, stored_flows
from connectors.warehouse import open_database
from kpi.answer import Period
from kpi.catalogue import BY_NAME
from kpi.compute import metric_value
from kpi.query.parser import Command
from kpi.settings import StoreSettings
from schedules.digest import build_digest
from tests.support.ga4 import AS_OF
from tests.support.marketing import MARKETING_STORE, synced_marketing_db

DAY = AS_OF - timedelta(days=1)
WEEK = Period(DAY - timedelta(days=6), DAY)
FLOWS = {"welcome": "Serie di benvenuto", "abandoned_cart": "Carrello abbandonato", "post_purchase": "Post-acquisto",
         "winback": "Riattivazione clienti"}


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return synced_marketing_db(tmp_path_factory.mktemp("digest") / "m.db")


@pytest.fixture(scope="module")
def digest_of(db):
    """The digest on AS_OF for a store, built once for every test that reads the same one."""
    return cache(lambda store: build_digest(db, store, AS_OF))


def text_of(db, store):
    return "\n".join(digest_lines(build_digest(db, store, AS_OF)))


def value(db, metric, period, language):
    return format_value(metric_value(db, MARKETING_STORE, BY_NAME[metric], period), BY_NAME[metric].unit, "EUR",
                        language)


@pytest.mark.parametrize("language, title, welcome, below, shares, why", [
    ("it", "*Automazioni di marketing*", "Benvenuto (Serie di benvenuto): Apertura flusso di benvenuto",
     "Obiettivo 50,00%", "Quota email del fatturato", "ultimo clic della visita"),
    ("en", "*Marketing automation*", "Welcome (Serie di benvenuto): Welcome flow open rate",
     "Target 50.00%", "Email share of revenue", "only the visit's last click"),
])
def test_the_section_judges_each_role_against_its_benchmark_in_the_stores_language(
        db, digest_of, language, title, welcome, below, shares, why):
    store = replace(MARKETING_STORE, language=language)
    lines = digest_lines(digest_of(store))
    start = lines.index(title)
    section = lines[start:lines.index("", start + 1)]
    assert section[1].startswith("• " + welcome)
    assert value(db, "welcome_open_rate", WEEK, language) in section[1] and below in section[1]
    assert "(" + format_period(WEEK, language) + ")" in section[1]
    cart = next(line for line in section if FLOWS["abandoned_cart"] + ")" in line)
    assert value(db, "cart_recovery_rate", WEEK, language) in cart
    closed = Period(WEEK.start - timedelta(days=30), WEEK.end - timedelta(days=30))  # every 30-day window closed
    repurchase = next(line for line in section if FLOWS["post_purchase"] + ")" in line)
    assert value(db, "repurchase_30d", closed, language) in repurchase
    assert format_period(closed, language) in repurchase
    share_line = next(line for line in section if line.startswith(shares))
    assert value(db, "email_attributed_share", WEEK, language) in share_line
    assert value(db, "email_revenue_share", WEEK, language) in share_line
    assert section.index(share_line) + 1 < len(section) and why in section[section.index(share_line) + 1]


def test_the_targets_list_leaves_the_role_kpis_to_the_section(digest_of):
    digest = digest_of(MARKETING_STORE)
    judged = {check.metric for check in digest.targets}
    assert {"welcome_open_rate", "cart_recovery_rate", "email_attributed_share"} <= judged
    lines = digest_lines(digest)
    targets = lines[lines.index("*Obiettivi*"):lines.index("*Automazioni di marketing*")]
    assert not any("Apertura flusso di benvenuto" in line for line in targets)
    assert any("Quota fatturato email (Klaviyo)" in line for line in targets)
    blocks, fallback = digest_message(digest)
    assert any("Automazioni di marketing" in str(block) for block in blocks) and fallback == "\n".join(lines)


def test_a_store_without_klaviyo_has_no_section(db):
    plain = StoreSettings(MARKETING_STORE.name, MARKETING_STORE.ga4_property)
    digest = build_digest(db, plain, AS_OF)
    assert digest.marketing is None and "Automazioni di marketing" not in "\n".join(digest_lines(digest))


def test_a_role_with_no_flow_says_so_in_the_digest_and_in_status(tmp_path):
    db = synced_marketing_db(tmp_path / "m.db")
    flows = stored_flows(db, MARKETING_STORE.name)
    roles = {flow.flow_id: role for flow in flows for role, name in FLOWS.items() if flow.name == name and
             role != "winback"}
    save_flows(db, MARKETING_STORE.name, flows, roles, datetime(2026, 11, 24, 6, tzinfo=UTC))
    text = text_of(db, MARKETING_STORE)
    assert "• Riattivazione: nessun flusso ha questo ruolo" in text
    status = command_text(db, MARKETING_STORE, Command("status"), AS_OF)
    assert "Benvenuto → Serie di benvenuto" in status and "Ruoli senza flusso: Riattivazione" in status


@pytest.mark.parametrize("language, expected", [
    ("en", "Klaviyo flow roles: Welcome → Serie di benvenuto; Abandoned cart → Carrello abbandonato; "
           "Post-purchase → Post-acquisto; Win-back → Riattivazione clienti"),
    ("it", "Ruoli dei flussi Klaviyo: Benvenuto → Serie di benvenuto; Carrello abbandonato → Carrello abbandonato; "
           "Post-acquisto → Post-acquisto; Riattivazione → Riattivazione clienti"),
])
def test_status_lists_which_flow_got_which_role(db, language, expected):
    status = command_text(db, replace(MARKETING_STORE, language=language), Command("status"), AS_OF)
    assert expected in status.splitlines()
    assert "Roles with no flow" not in status and "Ruoli senza flusso" not in status


def test_status_before_any_klaviyo_sync_says_to_run_it(tmp_path):
    status = command_text(open_database(tmp_path / "empty.db"), MARKETING_STORE, Command("status"), AS_OF)
    assert "Nessun flusso Klaviyo sincronizzato: esegui kpibot sync" in status
