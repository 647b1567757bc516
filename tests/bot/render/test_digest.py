"""The digest reads well as text alone, in Italian and in English."""

from __future__ import annotations

import math
import re

import pytest

from bot.render.digest import digest_lines, digest_message
from kpi.settings import StoreSettings
from schedules.digest import build_digest
from tests.support.ga4 import AS_OF, demo_frames, synced_demo_db


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    return synced_demo_db(tmp_path_factory.mktemp("digest") / "demo.db")


def revenue_change() -> float:
    raw = demo_frames()["sessions"]
    by_day = raw.groupby("date")["revenue"].sum()
    return by_day["2026-11-23"] / by_day["2026-11-16"] - 1


@pytest.mark.parametrize("language, title, formula, provisional", [
    ("it", "Riepilogo di demo-shop · 23 nov 2026", r"Fatturato ([+−][\d,]+)%: traffico ([+−][\d,]+)%, "
                                                   r"CvR ([+−][\d,]+)%, AOV ([+−][\d,]+)%",
     "dati di ieri ancora provvisori"),
    ("en", "demo-shop digest · 23 Nov 2026", r"Revenue ([+−][\d.]+)%: traffic ([+−][\d.]+)%, "
                                              r"CvR ([+−][\d.]+)%, AOV ([+−][\d.]+)%",
     "yesterday's data is still provisional"),
])
def test_digest_text_in_both_languages(db, language, title, formula, provisional):
    store = StoreSettings(name="demo-shop", ga4_property="100000001", language=language, digest_channel="C0X")
    lines = digest_lines(build_digest(db, store, AS_OF))
    text = "\n".join(lines)
    assert lines[0] == f"*{title}*" and provisional in lines[1]
    match = re.search(formula, text)
    assert match, text
    numbers = [float(part.replace("−", "-").replace(",", ".")) for part in match.groups()]
    assert math.isclose(numbers[0], round(revenue_change() * 100, 1), abs_tol=0.05)
    assert math.isclose(sum(numbers[1:]), numbers[0], abs_tol=0.15)  # the parts add up, up to display rounding
    blocks, fallback = digest_message(build_digest(db, store, AS_OF))
    assert fallback == text and len(blocks) < 50
    assert [e["action_id"] for e in blocks[-1]["elements"]] == ["kpi_by_channel", "kpi_by_device", "open_dashboard"]


def test_the_channels_behind_the_change_add_up_to_it(db):
    store = StoreSettings(name="demo-shop", ga4_property="100000001", language="en")
    digest = build_digest(db, store, AS_OF)
    assert math.isclose(sum(row.contribution for row in digest.channels), revenue_change(), rel_tol=1e-9)
    assert "Channels behind the change: " + digest.channels[0].key in "\n".join(digest_lines(digest))
