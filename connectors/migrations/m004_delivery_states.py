"""Deliveries become a state machine: due → claimed → posted → corrected, or failed with a retry time.

New columns say how often a delivery was tried, when it may be tried again, until when (its
window), when its claim runs out, and what it carries (a notice's text). Rows written before
keep their meaning: 'sent' is now 'posted'; a row left 'claimed' or 'failed' counts as tried
once, so whoever takes it next looks for the message in Slack before posting again, within
the 6-hour grace window the scheduler always used (older ones are left to `kpibot digest --post`).
"""

from datetime import UTC, datetime, timedelta

from connectors.engine.database import Database

OLD_GRACE = timedelta(hours=6)

COLUMNS = (
    "attempts INTEGER NOT NULL DEFAULT 0",
    "first_attempt_at TEXT",  # the first claim: a lost message is looked for from here on
    "claim_expires_at TEXT",
    "next_attempt_at TEXT",  # a failed delivery is retried from here on (NULL: given up)
    "deadline TEXT",  # no automatic attempt after this (the digest's grace window)
    "last_error TEXT",
    "payload TEXT",  # what a notice says; digests and alerts are rebuilt from the warehouse
    "follow_up INTEGER NOT NULL DEFAULT 0",  # 1 while the chart / the episode's ts is still to do
    "corrected_at TEXT",
)


def apply(db: Database) -> None:
    for column in COLUMNS:
        db.execute(f"ALTER TABLE deliveries ADD COLUMN {column}")
    db.execute("UPDATE deliveries SET status = 'posted' WHERE status = 'sent'")
    for status, retry_column in (("claimed", "claim_expires_at"), ("failed", "next_attempt_at")):
        db.execute(f"UPDATE deliveries SET attempts = 1, first_attempt_at = claimed_at, {retry_column} = claimed_at "
                   "WHERE status = ?", [status])
    _old_windows(db)
    db.execute("CREATE INDEX deliveries_pending ON deliveries (status, next_attempt_at)")


def _old_windows(db: Database) -> None:
    """Time arithmetic on text is not portable SQL, so the old rows' windows are computed here."""
    rows = db.execute("SELECT store, kind, date, channel, claimed_at FROM deliveries "
                      "WHERE status IN ('claimed', 'failed') AND claimed_at IS NOT NULL").fetchall()
    for store, kind, day, channel, claimed_at in rows:
        deadline = (datetime.fromisoformat(claimed_at) + OLD_GRACE).astimezone(UTC).isoformat(timespec="microseconds")
        db.execute("UPDATE deliveries SET deadline = ? WHERE store = ? AND kind = ? AND date = ? AND channel = ?",
                   [deadline, store, kind, day, channel])
