"""SQL for delivery records: the states a digest, an alert or a notice goes through.

    due ──claim──▶ claimed ──mark──▶ posted ──correct──▶ corrected
     │                │  ▲
     │           fail │  │ claim again (at next_attempt_at, or once the claim ran out)
     │                ▼  │
     └──▶ cancelled ◀── failed (next_attempt_at NULL: given up)

Every change is one statement whose WHERE clause checks the state it starts from, so two
processes (or threads) can never both take the same delivery, and no statement needs more
than plain SQL that SQLite and PostgreSQL both run (``INSERT … ON CONFLICT … DO UPDATE …
WHERE``, no SQLite-only syntax). Times are UTC ISO-8601 text of one fixed width, which
sorts like the instants it names.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connectors.engine.database import Database

Key = tuple[str, str, str, str]  # (store, kind, date, channel)
KEY_WHERE = "store = ? AND kind = ? AND date = ? AND channel = ?"
FINAL = ("posted", "corrected")


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def delivery(db: Database, key: Key) -> dict[str, Any] | None:
    rows = list(db.query(f"SELECT * FROM deliveries WHERE {KEY_WHERE}", list(key)))
    return rows[0] if rows else None


def plan_delivery(db: Database, key: Key, now: datetime, deadline: datetime | None,
                  payload: str | None = None) -> bool:
    """Record that ``key`` is due from ``now`` until ``deadline``; False when it is already recorded."""
    cursor = db.execute(
        "INSERT INTO deliveries (store, kind, date, channel, status, attempts, next_attempt_at, deadline, payload, "
        "provisional, follow_up) VALUES (?, ?, ?, ?, 'due', 0, ?, ?, ?, 0, 0) "
        "ON CONFLICT (store, kind, date, channel) DO NOTHING",
        [*key, stamp(now), stamp(deadline) if deadline else None, payload])
    return bool(cursor.rowcount)


def claim_delivery(db: Database, key: Key, holder: str, now: datetime, expires: datetime,
                   deadline: datetime | None, manual: bool = False) -> dict[str, Any] | None:
    """Take ``key`` for posting; the row after the claim, or None when it is not ours to take.

    It can be taken when it is new, due, failed and its retry time has come, or claimed by
    someone whose claim ran out. The scheduler only takes it inside its window (``deadline``);
    a person (``manual``) may also take it after the window or after the scheduler gave up.
    """
    at = stamp(now)
    takeable = ("(deliveries.status IN ('due', 'failed') AND deliveries.next_attempt_at <= ?) "
                "OR (deliveries.status = 'claimed' AND deliveries.claim_expires_at <= ?)")
    params = [at, at]
    if manual:
        takeable += " OR deliveries.status IN ('due', 'failed')"
    condition = f"({takeable})"
    if not manual:
        condition += " AND (deliveries.deadline IS NULL OR deliveries.deadline > ?)"
        params.append(at)
    cursor = db.execute(
        "INSERT INTO deliveries (store, kind, date, channel, status, holder, claimed_at, claim_expires_at, attempts, "
        "first_attempt_at, deadline, provisional, follow_up) VALUES (?, ?, ?, ?, 'claimed', ?, ?, ?, 1, ?, ?, 0, 0) "
        "ON CONFLICT (store, kind, date, channel) DO UPDATE SET status = 'claimed', holder = excluded.holder, "
        "claimed_at = excluded.claimed_at, claim_expires_at = excluded.claim_expires_at, "
        "attempts = deliveries.attempts + 1, "
        "first_attempt_at = COALESCE(deliveries.first_attempt_at, excluded.first_attempt_at), "
        f"deadline = COALESCE(deliveries.deadline, excluded.deadline) WHERE {condition}",
        [*key, holder, at, stamp(expires), at, stamp(deadline) if deadline else None, *params])
    return delivery(db, key) if cursor.rowcount else None


def renew_claim(db: Database, key: Key, holder: str, expires: datetime) -> bool:
    """Push a live claim's expiry on; False when the claim is no longer this holder's."""
    cursor = db.execute(f"UPDATE deliveries SET claim_expires_at = ? WHERE {KEY_WHERE} AND holder = ? "
                        "AND (status = 'claimed' OR (status = 'posted' AND follow_up = 1))",
                        [stamp(expires), *key, holder])
    return bool(cursor.rowcount)


def record_content(db: Database, key: Key, holder: str, provisional: bool, detail: str | None) -> None:
    """What this holder is about to post, so whoever recovers the message knows what it said."""
    db.execute(f"UPDATE deliveries SET provisional = ?, detail = ? WHERE {KEY_WHERE} AND holder = ? "
               "AND status = 'claimed'", [int(provisional), detail, *key, holder])


def mark_posted(db: Database, key: Key, ts: str, now: datetime, follow_up: bool) -> str:
    """Record the message ``ts``; returns the ts that stands (another one if someone marked first).

    First mark wins: a holder that lost its claim while posting finds another ts here and
    knows its own message is the duplicate.
    """
    cursor = db.execute(
        "UPDATE deliveries SET status = 'posted', ts = ?, sent_at = ?, follow_up = ?, next_attempt_at = NULL, "
        f"last_error = NULL WHERE {KEY_WHERE} AND status NOT IN ('posted', 'corrected')",
        [ts, stamp(now), int(follow_up), *key])
    if cursor.rowcount:
        return ts
    row = delivery(db, key)
    return str(row["ts"]) if row and row["ts"] else ts


def mark_failed(db: Database, key: Key, holder: str, error: str, retry_at: datetime | None) -> None:
    """The attempt failed: retry from ``retry_at``, or give up (None)."""
    db.execute("UPDATE deliveries SET status = 'failed', last_error = ?, next_attempt_at = ?, claim_expires_at = NULL "
               f"WHERE {KEY_WHERE} AND status = 'claimed' AND holder = ?",
               [error[:500], stamp(retry_at) if retry_at else None, *key, holder])


def claim_follow_up(db: Database, key: Key, holder: str, now: datetime, expires: datetime) -> bool:
    """Take over the follow-up (chart, episode ts) of a posted delivery whose holder died."""
    cursor = db.execute(f"UPDATE deliveries SET holder = ?, claim_expires_at = ? WHERE {KEY_WHERE} "
                        "AND status = 'posted' AND follow_up = 1 AND claim_expires_at <= ?",
                        [holder, stamp(expires), *key, stamp(now)])
    return bool(cursor.rowcount)


def finish_follow_up(db: Database, key: Key) -> None:
    db.execute(f"UPDATE deliveries SET follow_up = 0, claim_expires_at = NULL WHERE {KEY_WHERE}", list(key))


def mark_corrected(db: Database, key: Key, now: datetime) -> None:
    db.execute(f"UPDATE deliveries SET status = 'corrected', provisional = 0, corrected_at = ? WHERE {KEY_WHERE} "
               "AND status = 'posted'", [stamp(now), *key])


def cancel_delivery(db: Database, key: Key) -> None:
    """Nothing is left to deliver (an alert that was never shown has nothing to resolve)."""
    db.execute(f"UPDATE deliveries SET status = 'cancelled', next_attempt_at = NULL WHERE {KEY_WHERE} "
               "AND status IN ('due', 'failed')", list(key))


def pending_deliveries(db: Database, now: datetime) -> list[dict[str, Any]]:
    """Deliveries whose retry time has come, whose claim ran out, or whose follow-up was left undone."""
    at = stamp(now)
    return list(db.query(
        "SELECT * FROM deliveries WHERE ((status IN ('due', 'failed') AND next_attempt_at <= ?) "
        "OR (status = 'claimed' AND claim_expires_at <= ?) "
        "OR (status = 'posted' AND follow_up = 1 AND claim_expires_at <= ?)) "
        "AND (deadline IS NULL OR deadline > ?) ORDER BY store, kind, date", [at, at, at, at]))


def provisional_deliveries(db: Database, kind: str) -> list[dict[str, Any]]:
    return list(db.query("SELECT * FROM deliveries WHERE kind = ? AND status = 'posted' AND provisional = 1",
                         [kind]))
