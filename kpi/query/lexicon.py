"""The vocabulary expanded into entries the grammar matches, built once at import.

Every phrase of ``kpi.query.vocabulary`` and every KPI name and alias of the catalogue becomes
one ``Entry`` per way of writing it (choices, optional words, and the hyphenated form
``settimana-scorsa``). Two entries that read the same words differently are a bug in the
tables and fail at import, as does a phrase that contains a filler word.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, replace

from kpi.catalogue import CATALOGUE
from kpi.metric import Metric
from kpi.periods import CANONICAL, SIMPLE
from kpi.query.vocabulary import (
    BY_MARKERS,
    COMMANDS,
    COMPARISONS,
    DIMENSIONS,
    FILLER,
    FILLER_PHRASES,
    METRIC_VERBS,
    MONTHS,
    NUMERALS,
    PERIODS,
    TENS,
    VS_MARKERS,
    Phrases,
)

FILLER_WORDS = frozenset(word for words in FILLER.values() for word in words.split())


@dataclass(frozen=True)
class Entry:
    words: tuple[str, ...]  # literal words, or slots such as {n}
    kind: str  # metric | hint | period | compare | vs | by | by_marker | filler
    value: str  # the canonical text, or a template over the slots
    language: str  # en | it | "" for both


def expand(pattern: str) -> list[tuple[str, ...]]:
    """``rispetto al|alla?`` → (rispetto, al), (rispetto, alla), (rispetto,); plus hyphenated forms."""
    choices = [part.rstrip("?").split("|") + ([""] if part.endswith("?") else []) for part in pattern.split()]
    forms = [tuple(word for word in combo if word) for combo in itertools.product(*choices)]
    joined = [("-".join(form),) for form in forms if len(form) > 1 and not any("{" in w or "'" in w for w in form)]
    return [form for form in forms + joined if form]


def _phrases(table: Phrases, kind: str, value: str) -> list[Entry]:
    return [Entry(form, kind, value, language)
            for language, patterns in table.items() for pattern in patterns for form in expand(pattern)]


def _metric_entries(metric: Metric) -> list[Entry]:
    entries = []
    for name in (metric.name, *metric.aliases):
        words = name.lower().replace("_", "-").split("-")
        content = tuple(word for word in words if word not in FILLER_WORDS)
        language = _metric_language(metric, words)
        entries += [Entry(("-".join(words),), "metric", metric.name, language),
                    Entry(content, "metric", metric.name, language)]
    return entries


def _metric_language(metric: Metric, words: list[str]) -> str:
    for language, label in (("it", metric.label_it), ("en", metric.label_en)):
        if all(word in label.lower().replace("'", " ").split() for word in words):
            return language
    return ""


def _by_entries() -> list[Entry]:
    markers = [(form, language) for language, patterns in BY_MARKERS.items()
               for pattern in patterns for form in expand(pattern)]
    dimensions = [entry for name, table in DIMENSIONS.items() for entry in _phrases(table, "by", name)]
    return ([Entry(marker + entry.words, "by", entry.value, entry.language)
             for marker, _ in markers for entry in dimensions]
            + [Entry(marker, "by_marker", "", language) for marker, language in markers])


def _all_entries() -> list[Entry]:
    entries = [Entry((word,), "period", CANONICAL[kind], "") for word, kind in SIMPLE.items()]
    for token, table in PERIODS.items():
        entries += _phrases(table, "period", token)
    for value, table in COMPARISONS.items():
        entries += _phrases(table, "compare", value)
    for value, table in METRIC_VERBS.items():
        entries += _phrases(table, "hint", value)
    entries += _phrases(VS_MARKERS, "vs", "vs") + _phrases(FILLER_PHRASES, "filler", "") + _by_entries()
    for metric in CATALOGUE:
        entries += _metric_entries(metric)
    return entries


def _merge(entries: list[Entry]) -> dict[tuple[str, ...], Entry]:
    merged: dict[tuple[str, ...], Entry] = {}
    for entry in entries:
        if filler := [word for word in entry.words if word in FILLER_WORDS]:
            raise ValueError(f"the phrase {' '.join(entry.words)!r} contains filler {filler}: it can never match")
        known = merged.get(entry.words)
        if known is not None and (known.kind, known.value) != (entry.kind, entry.value):
            raise ValueError(f"{' '.join(entry.words)!r} reads as {known.value!r} and {entry.value!r}")
        if known is not None and known.language != entry.language:
            entry = replace(entry, language="")
        merged[entry.words] = entry
    return merged


def _index(entries: list[Entry]) -> tuple[dict[str, list[Entry]], list[Entry]]:
    first: dict[str, list[Entry]] = defaultdict(list)
    slot_first: list[Entry] = []
    for entry in entries:
        (slot_first if entry.words[0].startswith("{") else first[entry.words[0]]).append(entry)
    return dict(first), slot_first


def _languages() -> dict[str, str]:
    seen: dict[str, set[str]] = defaultdict(set)
    for entry in ENTRIES:
        for word in entry.words:
            if entry.language and not word.startswith("{"):
                seen[word].add(entry.language)
    for language in ("en", "it"):
        for word in (*FILLER[language].split(), *NUMERALS[language].split(), *TENS[language],
                     *" ".join(MONTHS[language]).split(), *(w for c in COMMANDS.values() for w in c[language])):
            seen[word].add(language)
    return {word: next(iter(languages)) for word, languages in seen.items() if len(languages) == 1}


ENTRIES: list[Entry] = list(_merge(_all_entries()).values())
FIRST_WORDS, SLOT_FIRST = _index(ENTRIES)
LANGUAGE_OF_WORD = _languages()
COMMAND_WORDS: dict[str, str] = {word: name for name, table in COMMANDS.items()
                                 for words in table.values() for word in words}
