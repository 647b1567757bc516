"""Reads words into tokens: the longest phrase of ``kpi.query.vocabulary`` (or a KPI name) wins.

Text is normalised (lower case, NFKC, apostrophes split off, punctuation dropped), filler
words are set aside, and at each word the longest phrase that matches becomes one
``Token`` with a canonical value: a KPI name, a short-form period (``last-30d``), ``prev``
or ``ly``, a dimension. Words no phrase covers become ``unknown`` tokens for the parser to
explain. Nothing here reads the clock.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from kpi.periods import PeriodError, parse_period
from kpi.query.lexicon import FILLER_WORDS, FIRST_WORDS, SLOT_FIRST, Entry
from kpi.query.slots import SLOTS

_EDGE = "?!¿¡,;:.…\"«»“”„()[]{}<>`*_~"
_ELISION = re.compile(r"(\w)['’](?=\w)")
_GLUED = re.compile(r"^([0-9]+)(gg|g|giorni|giorno|d|days|day|settimane|weeks|w)$")
_DASHES = re.compile(r"^[-–—]+$")  # a dash between words, as in "fatturato – ieri"; ranges read theirs first
_SHORT_PERIOD = re.compile(r"^(last-[0-9]+d|[0-9]{4}-[0-9]{2}|[0-9]{4}-[0-9]{2}-[0-9]{2}|[^.]+\.\.[^.]+)$")


@dataclass(frozen=True)
class Token:
    kind: str  # metric | hint | period | compare | vs | by | by_marker | filler | unknown
    value: str  # the canonical text: KPI name, period token, prev/ly, dimension; the words for unknown
    start: int  # the span of words it covers, end excluded
    end: int
    text: str = ""  # the words as typed (normalised), for messages


def words_of(text: str) -> list[str]:
    """Normalised words: ``Quanto abbiamo fatturato ieri?`` → quanto abbiamo fatturato ieri."""
    text = _ELISION.sub(r"\1' ", unicodedata.normalize("NFKC", text).replace("’", "'").lower())
    words: list[str] = []
    for raw in text.split():
        word = raw.strip(_EDGE).lstrip("'").replace("_", "-")
        if match := _GLUED.match(word):
            words.extend(match.groups())
        elif word:
            words.append(word)
    return words


def scan(words: Sequence[str]) -> list[Token]:
    """Tokens for ``words``, fillers left out; adjacent unknown words form one token."""
    content = [index for index, word in enumerate(words) if word not in FILLER_WORDS]
    tokens: list[Token] = []
    position = 0
    while position < len(content):
        token, used = _longest(words, content, position)
        position += used
        if token.kind == "filler" or _DASHES.match(token.text or token.value):
            continue
        if token.kind == "unknown" and tokens and tokens[-1].kind == "unknown":
            token = Token("unknown", "", tokens.pop().start, token.end)
        tokens.append(token)
    return [_with_text(token, words) for token in tokens]


def canonical_words(words: Sequence[str]) -> list[str]:
    """The short form of natural words, word by word; words it cannot read are kept as typed."""
    out: list[str] = []
    for token in scan(words_of(" ".join(words))):
        if token.kind == "by":
            out += ["by", token.value]
        elif token.kind != "by_marker":
            out.append(token.value)
    return out


def _longest(words: Sequence[str], content: list[int], position: int) -> tuple[Token, int]:
    best: tuple[Token, int] | None = None
    for entry in _candidates(words[content[position]]):
        covered = content[position:position + len(entry.words)]
        try:
            match = _match(entry, [words[i] for i in covered])
        except PeriodError as error:
            error.span = (covered[0], covered[-1] + 1)
            raise
        if match is not None and (best is None or len(entry.words) > best[1]):
            best = Token(entry.kind, match, covered[0], covered[-1] + 1), len(entry.words)
    return best or (_short_form(words, content[position]), 1)


def _short_form(words: Sequence[str], index: int) -> Token:
    if not _SHORT_PERIOD.match(words[index]):
        return Token("unknown", words[index], index, index + 1)
    try:
        return Token("period", parse_period(words[index]).text, index, index + 1)
    except PeriodError as error:
        error.span = (index, index + 1)
        raise


def _candidates(word: str) -> Iterator[Entry]:
    yield from FIRST_WORDS.get(word, ())
    yield from SLOT_FIRST


def _match(entry: Entry, words: list[str]) -> str | None:
    if len(words) < len(entry.words):
        return None
    slots: dict[str, str] = {}
    for pattern, word in zip(entry.words, words, strict=False):
        if pattern in SLOTS:
            value = SLOTS[pattern](word)
            if value is None:
                return None
            slots[pattern.strip("{}")] = value
        elif pattern != word:
            return None
    if not slots:
        return entry.value
    return parse_period(entry.value.format(**slots)).text if entry.kind == "period" else entry.value.format(**slots)


def _with_text(token: Token, words: Sequence[str]) -> Token:
    text = " ".join(words[token.start:token.end])
    return replace(token, value=token.value or text, text=text)
