"""The alert keys: ``max_alerts_per_day`` and ``resolve_after_days``, in [kpibot] or per store, validated."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config.loader import ConfigError, load_settings
from tests.support.paths import ROOT

STORES = """
[[stores]]
name = "shop-a"
ga4_property = "123"
{a}
[[stores]]
name = "shop-b"
ga4_property = "456"
"""


def load(tmp_path: Path, root: str = "", store: str = ""):
    path = tmp_path / "kpibot.toml"
    path.write_text(f"[kpibot]\n{root}\n" + STORES.format(a=store))
    return load_settings(path)


def test_defaults_are_three_messages_a_day_and_two_normal_days(tmp_path):
    store = load(tmp_path).store("shop-a")
    assert (store.max_alerts_per_day, store.resolve_after_days) == (3, 2)


def test_kpibot_sets_every_store_and_a_store_may_set_its_own(tmp_path):
    settings = load(tmp_path, "max_alerts_per_day = 5\nresolve_after_days = 3", "max_alerts_per_day = 1")
    a, b = settings.store("shop-a"), settings.store("shop-b")
    assert (a.max_alerts_per_day, a.resolve_after_days) == (1, 3)
    assert (b.max_alerts_per_day, b.resolve_after_days) == (5, 3)


@pytest.mark.parametrize("where, text, key", [
    ("root", "max_alerts_per_day = 0", "kpibot.max_alerts_per_day"),
    ("root", "resolve_after_days = \"two\"", "kpibot.resolve_after_days"),
    ("store", "max_alerts_per_day = 2.5", "stores[0] (shop-a).max_alerts_per_day"),
    ("store", "resolve_after_days = 15", "stores[0] (shop-a).resolve_after_days"),
    ("store", "max_alerts_per_day = true", "stores[0] (shop-a).max_alerts_per_day"),
])
def test_a_bad_value_is_named_with_its_key_and_what_is_allowed(tmp_path, where, text, key):
    with pytest.raises(ConfigError) as error:
        load(tmp_path, **{"root" if where == "root" else "store": text})
    [problem] = error.value.problems
    assert problem.startswith(f"kpibot.toml: {key} must be a whole number") and "between 1 and" in problem


def test_the_example_file_shows_both_keys():
    example = ROOT / "kpibot.example.toml"
    assert load_settings(example).store("shop-it").max_alerts_per_day == 3
    assert "resolve_after_days" in example.read_text()
