"""GA4 answering wrongly, for real: each emulator misbehaviour against the official client.

Every test first syncs a clean warehouse, then syncs against a misbehaving emulator (a real
HTTP server on 127.0.0.1) and checks: the stored tables, dumped in full, are exactly as
before; the outcome and its one sentence; and a clean run afterwards converges to an
uninterrupted run. Sleeps are injected; only the small deadlines set here pass in real time.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from bot.replies import command_text
from connectors.ga4.errors import (
    Ga4MalformedError,
    Ga4RetryLater,
    Ga4TimeoutError,
    Ga4UnreachableError,
    failure_kind,
)
from connectors.ga4.fetch import RetryPolicy
from connectors.ga4.sync_log import last_runs
from connectors.warehouse import open_database
from kpi.query.parser import Command
from kpi.settings import StoreSettings
from tests.support.ga4 import AS_OF, PROPERTY, STORE, demo_shop, emulator, fixed_clock, sync_all

# Two weeks: twelve final days before the re-pull window, and enough days that a rowCount of 500,001
# is plausible (50,000 rows a day), so each check below meets the case it names.
START, END = AS_OF - timedelta(days=14), AS_OF - timedelta(days=1)
TABLES = ("ga4_sessions", "ga4_users", "ga4_ads", "ga4_chunks", "sync_state")
FINAL_THROUGH = fixed_clock().date() - timedelta(days=3)  # GA4 finishes a day within 48 h; kpibot re-pulls 3


def dump(db) -> dict[str, list[tuple]]:
    """Every row of every GA4 table, in a fixed order."""
    return {name: sorted(tuple(row) for row in db.execute(f"SELECT * FROM {name}").fetchall()) for name in TABLES}


def clean_warehouse(client):
    db = open_database()
    result = sync_all(db, client, START, END)
    assert result.ok and result.rows > 0
    return db


@pytest.fixture(scope="module")
def reference() -> dict[str, list[tuple]]:
    """An uninterrupted run: what every faulty run must leave, and every re-run reach."""
    with emulator(demo_shop()) as (_, client):
        return dump(clean_warehouse(client))


def retry(**overrides) -> tuple[RetryPolicy, list[float]]:
    slept: list[float] = []
    return RetryPolicy(sleep=slept.append, **overrides), slept


def sessions_days(before) -> list[str]:
    columns = 1  # ga4_sessions: store, date, ...
    return sorted({row[columns] for row in before["ga4_sessions"]})


# -- answers that fail a check: the report stops, its stored chunk stays, the sync reports it

def expected_check_message(mode: str, options: dict, before) -> str:
    """What the sentence must say, computed from the stored rows, not from the code."""
    sessions = len(before["ga4_sessions"])
    if mode == "empty":
        final = [day for day in sessions_days(before) if day <= FINAL_THROUGH.isoformat()]
        return f"has no rows for {len(final)} day(s) already stored as final ({final[0]} to {final[-1]})"
    if mode == "half_rows":
        return f"has {sessions // 2:,} rows where rowCount says {sessions:,}"
    days = (END - START).days + 1
    if mode == "huge_row_count" and options["row_count"] > days * 50_000:
        return f"announces rowCount {options['row_count']:,}, more than {days} day(s) can hold"
    if mode == "huge_row_count":
        return f"has {sessions:,} rows where rowCount says {options['row_count']:,}"
    first_day = sessions_days(before)[0]  # the emulator corrupts the first row, sorted by date
    return f"has purchaseRevenue = {options['value']} on {first_day}, which is not a finite number"


CHECK_FAULTS = [
    ("empty", {}),
    ("half_rows", {}),
    ("huge_row_count", {"row_count": 10**9}),
    ("huge_row_count", {"row_count": 500_001}),  # plausible, but the first page already comes up short
    ("non_finite", {"value": "NaN"}),
    ("non_finite", {"value": "Infinity"}),
    ("non_finite", {"value": "-Infinity"}),
    ("non_finite", {"value": "1e999"}),  # overflows a double
]


@pytest.mark.parametrize(("mode", "options"), CHECK_FAULTS, ids=[f"{m}-{o}" for m, o in CHECK_FAULTS])
def test_an_answer_that_fails_a_check_leaves_the_stored_chunk_as_it_was(mode, options, reference):
    with emulator(demo_shop()) as (running, client):
        db = clean_warehouse(client)
        before = dump(db)
        requests_before = running.state.requests
        running.state.misbehave(mode, times=1, **{k: v for k, v in options.items()})
        result = sync_all(db, client, START, END)
        requests = running.state.requests - requests_before
        assert dump(db) == before
        assert set(result.errors) == {"sessions"}  # only the first request misbehaved
        message = result.errors["sessions"]
        assert expected_check_message(mode, options, before) in message
        assert f"the sessions report for {START} to {END}" in message and "left as it was" in message
        assert requests == 3  # one page per report: a short or empty page ends paging at once
        assert last_runs(db, STORE)[0]["error"] == f"sessions: {message}"
        assert failure_kind(message) == "check"
        assert sync_all(db, client, START, END).ok
        assert dump(db) == reference


def test_an_empty_answer_for_a_brand_new_property_is_a_legitimate_sync():
    with emulator(demo_shop()) as (running, client):
        db = open_database()
        running.state.misbehave("empty", times=3)
        result = sync_all(db, client, START, END)
    assert result.ok and result.rows == 0
    assert all(not rows for name, rows in dump(db).items() if name.startswith("ga4_") and name != "ga4_chunks")


def test_days_inside_the_repull_window_may_change_but_final_days_may_not_vanish():
    from connectors.ga4.checks import CheckFailed, check_final_days_kept

    stored = ["2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23"]
    check_final_days_kept(stored, stored[:2], FINAL_THROUGH)  # the last two days are still GA4's to revise
    with pytest.raises(CheckFailed, match=r"1 day\(s\) already stored as final \(2026-11-21\)"):
        check_final_days_kept(stored, stored[:1], FINAL_THROUGH)


# -- the wire misbehaves: retried with jittered backoff, then one sentence

DEADLINE = 0.5  # seconds for a whole request in these tests (120 s by default); ample for two weeks' answer
DRIP_EVERY = DEADLINE / 20  # far below the per-read timeout (the deadline), as in any slow drip

WIRE_FAULTS = [
    ("malformed_json", {}, Ga4MalformedError, "not valid JSON"),
    ("truncated", {}, Ga4MalformedError, "the answer was cut off"),
    ("reset", {}, Ga4UnreachableError, "connection reset"),
    ("stall", {"seconds": 30}, Ga4TimeoutError, f"no complete answer within {DEADLINE:g} s"),
    # a byte every 25 ms never trips a per-read timeout: only a deadline for the whole call ends it
    ("drip", {"seconds": DRIP_EVERY}, Ga4TimeoutError, f"no complete answer within {DEADLINE:g} s"),
]


@pytest.mark.parametrize(("mode", "options", "error", "words"), WIRE_FAULTS, ids=[f[0] for f in WIRE_FAULTS])
def test_a_bad_wire_once_is_retried_and_the_sync_succeeds(mode, options, error, words, reference):
    with emulator(demo_shop()) as (running, client):
        db = clean_warehouse(client)
        requests_before = running.state.requests
        running.state.misbehave(mode, times=1, **options)
        policy, slept = retry(deadline=DEADLINE)
        result = sync_all(db, client, START, END, retry=policy)
        retried = running.state.requests - requests_before - 3  # three reports, one chunk each
        assert result.ok and retried >= 1 and len(slept) == retried  # >1 only if a busy machine hit the deadline
        assert 0 <= slept[0] <= policy.base_delay  # full jitter on the first retry
        assert dump(db) == reference


@pytest.mark.parametrize(("mode", "options", "error", "words"), WIRE_FAULTS, ids=[f[0] for f in WIRE_FAULTS])
def test_a_bad_wire_every_time_ends_in_one_sentence_and_changes_nothing(mode, options, error, words, reference):
    with emulator(demo_shop()) as (running, client):
        db = clean_warehouse(client)
        before = dump(db)
        running.state.misbehave(mode, times=3, **options)
        policy, slept = retry(deadline=DEADLINE, max_attempts=3)
        started = time.monotonic()
        with pytest.raises(error) as raised:
            sync_all(db, client, START, END, retry=policy)
        assert time.monotonic() - started < 3 * DEADLINE + 3  # three deadlines at most, never the whole drip
        assert dump(db) == before
        message = str(raised.value)
        assert words in message and "3 attempt(s)" in message and running.url in message
        assert "HTTPConnectionPool" not in message and "\n" not in message
        assert len(slept) == 2 and all(0 <= s <= policy.base_delay * 2 for s in slept)
        assert last_runs(db, STORE)[0]["error"] == message
        assert sync_all(db, client, START, END).ok
        assert dump(db) == reference


# -- 429: short waits honoured, long ones end the run at once

@pytest.mark.parametrize("header", [False, True], ids=["message", "retry-after-header"])
def test_a_429_asking_for_an_hour_ends_the_run_at_once_and_keeps_what_was_stored(header, reference):
    with emulator(demo_shop()) as (running, client):
        db = clean_warehouse(client)
        before = dump(db)
        requests_before = running.state.requests
        running.state.misbehave("retry_later", seconds=3600, header=header)
        policy, slept = retry()
        with pytest.raises(Ga4RetryLater, match=r"wait 3600 s .* more than max_retry_wait \(300 s\)"):
            sync_all(db, client, START, END, retry=policy)
        assert slept == [] and running.state.requests - requests_before == 1
        assert dump(db) == before
        assert failure_kind(last_runs(db, STORE)[0]["error"]) == "retry_later"
        assert sync_all(db, client, START, END).ok
        assert dump(db) == reference


def test_a_short_429_wait_is_honoured_and_the_cap_is_configurable(reference):
    with emulator(demo_shop()) as (running, client):
        db = clean_warehouse(client)
        running.state.misbehave("retry_later", seconds=30)
        policy, slept = retry()
        assert sync_all(db, client, START, END, retry=policy).ok
        assert len(slept) == 1 and 30 <= slept[0] <= 30.5
        assert dump(db) == reference
        running.state.misbehave("retry_later", seconds=30)
        with pytest.raises(Ga4RetryLater, match=r"more than max_retry_wait \(10 s\)"):
            sync_all(db, client, START, END, retry=retry(max_wait=10)[0])
        assert dump(db) == reference


# -- what the shop owner reads in /kpi status

def test_status_says_the_stored_sentence_in_english_and_what_happened_in_italian():
    with emulator(demo_shop()) as (running, client):
        db = clean_warehouse(client)
        running.state.misbehave("half_rows")
        sync_all(db, client, START, END)
    stored = last_runs(db, STORE)[0]["error"]
    english = command_text(db, StoreSettings(STORE, PROPERTY, language="en"), Command("status"), AS_OF)
    italian = command_text(db, StoreSettings(STORE, PROPERTY, language="it"), Command("status"), AS_OF)
    assert stored in english and "failed" in english
    assert "non riuscita" in italian and "non ha superato un controllo" in italian
    assert "failed a check" not in italian and "rowCount" not in italian


# -- `kpibot sync` itself: exit codes and the one line on stderr

@pytest.fixture
def kpibot_sync(tmp_path, monkeypatch, capsys):
    """Runs `kpibot sync` through ``bot.cli.main.main`` against ``url``; the composition root's sleep recorded."""
    from bot.cli.main import main

    slept: list[float] = []
    monkeypatch.setattr("bot.cli.commands.sync.SLEEP", slept.append)

    def run(url: str, config_extra: str = "") -> tuple[int, str]:
        config = tmp_path / "kpibot.toml"
        config.write_text(f'[kpibot]\ndatabase = "k.db"\n{config_extra}\n'
                          f'[[stores]]\nname = "{STORE}"\nga4_property = "{PROPERTY}"\n')
        monkeypatch.setenv("KPIBOT_GA4_ENDPOINT", url)
        code = main(["--config", str(config), "sync", "--since", str(START), "--until", str(END),
                     "--as-of", str(AS_OF)])
        return code, capsys.readouterr().err

    run.slept = slept  # type: ignore[attr-defined]
    run.db = lambda: open_database(tmp_path / "k.db")  # type: ignore[attr-defined]
    return run


def stored_data(db) -> dict[str, list[tuple]]:
    """The dump without the run's own timestamps (the CLI reads the real clock)."""
    tables = dump(db)
    tables["ga4_chunks"] = [row[:-1] for row in tables["ga4_chunks"]]  # fetched_at is last
    tables["sync_state"] = [row[:3] for row in tables["sync_state"]]  # store, report, synced_through
    return tables


CLI_FAULTS = [
    ("half_rows", {}, 1, "GA4's answer failed a check: the sessions report"),
    ("non_finite", {"value": "NaN"}, 1, "has purchaseRevenue = NaN on"),
    ("retry_later", {"seconds": 3600}, 1, "GA4 asks to wait 3600 s before the next request"),
    ("malformed_json", {}, 6, "GA4 sent malformed answers at"),
]


@pytest.mark.parametrize(("mode", "options", "times", "words"), CLI_FAULTS, ids=[f[0] for f in CLI_FAULTS])
def test_kpibot_sync_exits_1_with_the_reason_and_keeps_the_stored_data(kpibot_sync, mode, options, times, words):
    with emulator(demo_shop()) as (running, _):
        assert kpibot_sync(running.url)[0] == 0
        before = stored_data(kpibot_sync.db())
        running.state.misbehave(mode, times=times, **options)
        code, err = kpibot_sync(running.url)
        assert code == 1
        assert stored_data(kpibot_sync.db()) == before
        failure = [line for line in err.splitlines() if line.startswith("kpibot: ")]
        assert len(failure) == 1 and words in failure[0]
        assert "Traceback" not in err and "unexpected error" not in err and "HTTPConnectionPool" not in err
        assert kpibot_sync(running.url)[0] == 0
        assert stored_data(kpibot_sync.db()) == before
    assert all(wait <= 300 for wait in kpibot_sync.slept)  # nothing near the hour GA4 asked for


def test_max_retry_wait_in_the_config_file_caps_the_wait(kpibot_sync):
    with emulator(demo_shop()) as (running, _):
        running.state.misbehave("retry_later", seconds=30)
        assert kpibot_sync(running.url)[0] == 0
        assert len(kpibot_sync.slept) == 1 and 30 <= kpibot_sync.slept[0] <= 30.5
        running.state.misbehave("retry_later", seconds=30)
        code, err = kpibot_sync(running.url, "max_retry_wait = 10")
    assert code == 1 and "more than max_retry_wait (10 s)" in err and len(kpibot_sync.slept) == 1


def test_an_unreachable_ga4_is_one_sentence_in_stderr_the_run_log_and_status(kpibot_sync, capsys):
    import socket

    from bot.cli.main import main

    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, err = kpibot_sync(f"http://127.0.0.1:{port}")
    sentence = (f"cannot reach GA4 at http://127.0.0.1:{port} (connection refused, 6 attempt(s)): "
                "check the network or KPIBOT_GA4_ENDPOINT, then run kpibot sync again")
    assert code == 1 and err.strip() == f"kpibot: {STORE}: GA4 failed: {sentence}"
    assert len(kpibot_sync.slept) == 5  # bounded: six attempts, five backoffs
    assert last_runs(kpibot_sync.db(), STORE)[0]["error"] == sentence
    config = kpibot_sync.db().label.replace("k.db", "kpibot.toml")
    assert main(["--config", config, "ask", "status", "--as-of", str(AS_OF)]) == 0
    status = capsys.readouterr().out
    assert "GA4 non è raggiungibile" in status and "HTTPConnectionPool" not in status


def test_every_failure_sentence_is_recognised_and_said_in_italian():
    from bot.i18n import CATALOGUE
    from connectors.ga4 import errors as ga4_errors

    classes = [ga4_errors.Ga4CheckError, ga4_errors.Ga4UnreachableError, ga4_errors.Ga4TimeoutError,
               ga4_errors.Ga4MalformedError, ga4_errors.Ga4RetryLater, ga4_errors.Ga4QuotaExhausted,
               ga4_errors.Ga4UnavailableError, ga4_errors.Ga4AccessError, ga4_errors.Ga4QuotaLow]
    for cls in classes:
        sentence = str(cls("http://127.0.0.1:1 (details): what to do"))
        assert failure_kind(f"sessions: {sentence}") == cls.kind, cls
        assert f"sync_failure_{cls.kind}" in CATALOGUE, cls


def test_a_host_that_does_not_resolve_is_named_as_such():
    """DNS cannot be asked from a test (nothing leaves 127.0.0.1): the real exception chain is built instead."""
    import socket

    import requests
    from urllib3.connection import HTTPConnection
    from urllib3.exceptions import MaxRetryError, NameResolutionError

    from connectors.ga4.calls import _connection_reason

    lookup = NameResolutionError("ga4.example.invalid", HTTPConnection("ga4.example.invalid"),
                                 socket.gaierror(-2, "Name or service not known"))
    error = requests.exceptions.ConnectionError(MaxRetryError(None, "/v1beta", reason=lookup))  # type: ignore[arg-type]
    assert _connection_reason(error) == "host not found"


def test_retry_after_as_an_http_date_is_measured_from_the_answers_own_date():
    from connectors.ga4.calls import _retry_after_seconds

    assert _retry_after_seconds("120", None) == 120
    assert _retry_after_seconds("Wed, 25 Nov 2026 21:00:00 GMT", "Wed, 25 Nov 2026 20:00:00 GMT") == 3600
    assert _retry_after_seconds("Wed, 25 Nov 2026 21:00:00 GMT", None) is None  # no clock of ours is read
