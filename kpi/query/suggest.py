"""Turns a ``Problem`` the parser met into a ``QueryError``: "did you mean" and one example.

Suggestions come from the words the user would have typed: KPI names and aliases (Italian
ones too), the usual period phrases of the language the query is written in, `vs ly`,
`by channel`. The example is the user's own query with the suggestion put in, when that
reads; otherwise a stock example in the query's language.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from kpi.periods import KEYWORDS, PeriodError
from kpi.query.errors import QueryError
from kpi.query.lexicon import COMMAND_WORDS, ENTRIES, FILLER_WORDS, LANGUAGE_OF_WORD
from kpi.query.vocabulary import DIMENSIONS, EXAMPLE_METRIC, EXAMPLES, SUGGESTED_COMPARISONS, SUGGESTED_PERIODS, Phrases


@dataclass(eq=False)
class Problem(Exception):
    """What the parser met, before it is explained. ``expects`` says what kind of word fits."""

    code: str
    params: dict[str, object] = field(default_factory=dict)
    span: tuple[int, int] | None = None  # the words at fault
    expects: str = ""  # metric | period | compare | dimension | no_metric | empty
    suggestion: str | None = None  # when the parser knows it already
    marker: str = ""  # the `vs`/`by` word the user typed before the words at fault

    @classmethod
    def of_period(cls, error: PeriodError) -> Problem:
        return cls(error.code, dict(error.params), error.span, suggestion=error.suggestion)


_LONGEST_EXAMPLE = 100  # a longer query is no example: show the stock one
METRIC_WORDS = sorted({" ".join(e.words) for e in ENTRIES if e.kind in ("metric", "hint")} | set(COMMAND_WORDS))


def detect_language(words: Sequence[str], hint: str | None) -> str:
    """The language most of the recognised words belong to; the hint (the store's) on a tie."""
    counts = {"en": 0, "it": 0}
    for word in words:
        if language := LANGUAGE_OF_WORD.get(word):
            counts[language] += 1
    if counts["it"] != counts["en"]:
        return "it" if counts["it"] > counts["en"] else "en"
    return hint if hint in counts else "en"


def explain(problem: Problem, words: list[str], hint: str | None, reads: Callable[[list[str]], bool]) -> QueryError:
    language = detect_language(words, hint)
    suggestion = problem.suggestion or _guess(problem, words, language)
    example = _example(problem, words, suggestion, language, reads)
    return QueryError(code=problem.code, params=problem.params, suggestion=suggestion, example=example,
                      language=language)


def closest(text: str, candidates: Sequence[str], cutoff: float = 0.6) -> str | None:
    matches = difflib.get_close_matches(text.lower(), list(candidates), n=1, cutoff=cutoff)
    return matches[0] if matches else None


def _guess(problem: Problem, words: list[str], language: str) -> str | None:
    run = _content(words, problem.span)[len(problem.marker.split()):]
    if not run:
        return None
    if problem.expects == "metric":
        return _first_close([" ".join(run[:k]) for k in range(min(3, len(run)), 0, -1)], METRIC_WORDS)
    if problem.expects == "compare":
        found = _first_close([" ".join(run)], _compare_words(language))
        return f"{problem.marker} {found}" if found else None
    if problem.expects == "dimension":
        found = _first_close([" ".join(run)], _dimension_words(language))
        return f"{problem.marker} {found}" if found else None
    if problem.expects == "period":
        return _first_close([" ".join(run)], KEYWORDS) or _first_close([" ".join(run)], _periods(language))
    return None


def _first_close(texts: list[str], candidates: Sequence[str]) -> str | None:
    return next((found for text in texts if (found := closest(text, candidates))), None)


def _content(words: list[str], span: tuple[int, int] | None) -> list[str]:
    if span is None:
        return []
    return [word for word in words[span[0]:span[1]] if word not in FILLER_WORDS] or words[span[0]:span[1]]


def _in_language(table: Phrases, language: str) -> list[str]:
    other = "en" if language == "it" else "it"
    return [*table.get(language, ()), *table.get(other, ())]


def _periods(language: str) -> list[str]:
    return _in_language(SUGGESTED_PERIODS, language)


def _compare_words(language: str) -> list[str]:
    return ["prev", "ly", *_in_language(SUGGESTED_COMPARISONS, language), *KEYWORDS, *_periods(language)]


def _dimension_words(language: str) -> list[str]:
    words = [name for name in DIMENSIONS]
    for table in DIMENSIONS.values():
        words += [pattern.split("|")[0] for pattern in _in_language(table, language)]
    return words


def _example(problem: Problem, words: list[str], suggestion: str | None, language: str,
             reads: Callable[[list[str]], bool]) -> str:
    for attempt in _corrections(problem, words, suggestion, language):
        if attempt and len(" ".join(attempt)) <= _LONGEST_EXAMPLE and reads(attempt):
            return " ".join(attempt)
    return EXAMPLES[language]


def _corrections(problem: Problem, words: list[str], suggestion: str | None, language: str) -> list[list[str]]:
    metric = EXAMPLE_METRIC[language]
    if problem.expects == "no_metric":
        return [[metric, *words]]
    if suggestion is None:
        return []
    fix = suggestion.split()
    text = str(problem.params.get("text", ""))
    attempts = [[suggestion if word == text else word for word in words]] if text in words else []
    if problem.span is not None:
        start, end = problem.span
        attempts.append([*words[:start], *fix, *words[end:]])
    return attempts
