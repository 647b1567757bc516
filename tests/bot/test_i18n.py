"""One catalogue of words: every key in both languages, and no language chosen anywhere else."""

from __future__ import annotations

import re
import string

import pytest

from bot.i18n import CATALOGUE, LANGUAGES, t
from tests.support.paths import ROOT

# Grammar, not words shown: the query language reads both languages in any store, and the
# holiday calendar asks the holidays package for a language code.
GRAMMAR = ("kpi/query/", "kpi/anomalies/calendar.py")
SWITCH = re.compile(r"""==\s*["'](it|en)["']|["'](it|en)["']\s*:|["'](it|en)["']\s+if\b|language\s*==""")


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("key", sorted(CATALOGUE))
def test_every_key_speaks_every_language_with_the_same_placeholders(key):
    words = CATALOGUE[key]
    assert set(words) == set(LANGUAGES) and all(words[language].strip() for language in LANGUAGES)
    english, italian = placeholders(words["en"]), placeholders(words["it"])
    if key.startswith("sync_failure_") and key != "sync_failure_detail":
        assert italian <= english  # Italian says what happened in its own words instead of GA4's English detail
    else:
        assert english == italian


def test_an_unknown_language_falls_back_to_english():
    assert t("digest_kpis", "de") == t("digest_kpis", "en") == "Main KPIs"


@pytest.mark.parametrize("path", [p for p in sorted(ROOT.glob("*/**/*.py"))
                                  if p.parts[len(ROOT.parts)] in ("bot", "kpi", "schedules", "connectors")
                                  and p.relative_to(ROOT).as_posix() != "bot/i18n.py"
                                  and not p.relative_to(ROOT).as_posix().startswith(GRAMMAR)],
                         ids=lambda p: p.relative_to(ROOT).as_posix())
def test_no_module_outside_the_catalogue_chooses_words_by_language(path):
    assert [line.strip() for line in path.read_text().splitlines() if SWITCH.search(line)] == []
