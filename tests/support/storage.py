"""Test support for storage faults: a GA4 re-processing of the demo shop, table dumps, kills."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from connectors.demo.shop import DemoShop
from connectors.engine.database import Database
from tests.support import forked

REPORT_TABLES = {"sessions": "ga4_sessions", "users": "ga4_users", "ads": "ga4_ads"}  # in sync order
# channels a re-processing shows for the first time, each with the rows of an existing one
NEW_CHANNELS = {"Referral": ("AI Assistant", "Affiliates"), "Organic Social": ("Audio", "Display", "Video",
                                                                               "Mobile Push")}


def reprocessed(shop: DemoShop, start: date, end: date) -> DemoShop:
    """The shop as GA4 tells it after re-processing [start, end]: every figure moved, a channel
    and a campaign vanished on some days, six channels appeared (so the chunk needs more pages:
    about a page more per day of it)."""
    first, last = start.strftime("%Y%m%d"), end.strftime("%Y%m%d")

    def inside(frame: pd.DataFrame) -> pd.Series:
        return (frame["date"] >= first) & (frame["date"] <= last)

    odd_day = {day: int(day) % 2 == 1 for day in shop.sessions["date"].unique()}
    sessions = shop.sessions.copy()
    moved = inside(sessions)
    sessions.loc[moved, "sessions"] += 3
    sessions.loc[moved, "purchaseRevenue"] = (sessions.loc[moved, "purchaseRevenue"] * 1.05).round(2)
    gone = moved & (sessions["sessionDefaultChannelGroup"] == "SMS") & sessions["date"].map(odd_day)
    appeared = [sessions[moved & (sessions["sessionDefaultChannelGroup"] == like)].assign(
        sessionDefaultChannelGroup=name) for like, names in NEW_CHANNELS.items() for name in names]
    sessions = pd.concat([sessions[~gone], *appeared], ignore_index=True)
    users = shop.users.copy()
    users.loc[inside(users), "totalUsers"] += 11
    ads = shop.ads.copy()
    moved = inside(ads)
    ads.loc[moved, "advertiserAdCost"] = (ads.loc[moved, "advertiserAdCost"] * 1.1).round(2)
    gone = moved & (ads["sessionCampaignName"] == "brand") & ~ads["date"].map(odd_day)
    return replace(shop, sessions=sessions, users=users, ads=ads[~gone].reset_index(drop=True))


def dump(db: Database, table: str, where: str = "", params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every row of ``table``, in a stable order: SQLite's, by each column in turn (no key built in Python)."""
    columns = len(db.execute(f"SELECT * FROM {table} LIMIT 0").description)
    order = ", ".join(str(column) for column in range(1, columns + 1))
    return db.execute(f"SELECT * FROM {table} {where} ORDER BY {order}", params).fetchall()


def report_state(db: Database, report: str) -> dict[str, list[tuple[Any, ...]]]:
    """A report's rows with the chunk metadata and the sync state written with them."""
    return {"rows": dump(db, REPORT_TABLES[report]),
            "chunks": dump(db, "ga4_chunks", "WHERE report = ?", (report,)),
            "state": dump(db, "sync_state", "WHERE report = ?", (report,))}


def kill_at(db_path: Path, patterns: list[str], *work: str) -> forked.Finished:
    """Run ``tests.support.kill_at`` in a child process that SIGKILLs itself at ``patterns``."""
    argv = [str(db_path)]
    for pattern in patterns:
        argv += ["--at", pattern]
    return forked.run("tests.support.kill_at", [*argv, *work], timeout=120)
