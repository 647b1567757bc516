"""The query language of `/kpi` and `kpibot ask` (SPEC §6).

``<metric> [<period>] [vs <period>|vs prev|vs ly] [by <dimension>] [store:<name>]``, or a
command (help, list, digest, targets, status, alerts, anomalies). Italian and natural
English wording ("quanto abbiamo fatturato ieri?", "aov last 30 days") reads into the same
``Query`` as its short form, which ``Query.canonical()`` prints. Anything else raises
``QueryError`` with a code, a "did you mean" and an example: never another error.
"""

from __future__ import annotations

from dataclasses import dataclass

from kpi.catalogue import BY_NAME
from kpi.metric import Metric
from kpi.periods import DEFAULT, PeriodError, PeriodSpec, parse_period
from kpi.query.errors import EXAMPLE, QueryError
from kpi.query.grammar import Token, canonical_words, scan, words_of
from kpi.query.lexicon import COMMAND_WORDS, ENTRIES
from kpi.query.slots import MONTH_NUMBERS
from kpi.query.suggest import Problem, closest, explain

__all__ = ["COMMANDS", "DIMENSIONS", "EXAMPLE", "Command", "Query", "QueryError", "closest", "find_metric", "parse"]

COMMANDS = ("help", "list", "digest", "targets", "status", "alerts", "anomalies")
DIMENSIONS = ("channel", "device", "visitor", "campaign", "segment", "product", "product_type", "flow",
              "platform", "send_channel")
METRIC_NAMES: dict[str, Metric] = {e.words[0]: BY_NAME[e.value] for e in ENTRIES
                                   if e.kind == "metric" and len(e.words) == 1}


@dataclass(frozen=True)
class Query:
    metric: Metric
    period: PeriodSpec = DEFAULT
    compare: str | PeriodSpec = "prev"  # prev | ly | an explicit period
    by: str | None = None
    store: str | None = None

    def canonical(self) -> str:
        """The short form that reads back into this query: ``aov last-30d vs ly by channel``."""
        parts = [self.metric.name, self.period.text]
        if self.compare != "prev":
            parts += ["vs", self.compare if isinstance(self.compare, str) else self.compare.text]
        if self.by:
            parts += ["by", self.by]
        return " ".join(parts + ([f"store:{self.store}"] if self.store else []))


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...] = ()
    store: str | None = None

    def canonical(self) -> str:
        return " ".join([self.name, *self.args] + ([f"store:{self.store}"] if self.store else []))


def find_metric(word: str) -> Metric | None:
    return METRIC_NAMES.get(word.lower().replace("_", "-"))


def parse(text: str, language: str | None = None) -> Query | Command:
    """Read ``text``; ``language`` (the store's, en or it) words suggestions when the text does not say."""
    words: list[str] = []
    try:
        store, rest = _take_store(text.replace("\u00a0", " ").split())
        words = words_of(" ".join(rest))
        return _read(words, store)
    except PeriodError as error:
        raise explain(Problem.of_period(error), words, language, _reads) from None
    except Problem as problem:
        raise explain(problem, words, language, _reads) from None


def _reads(words: list[str]) -> bool:
    try:
        _read(words, None)
    except (Problem, PeriodError):
        return False
    return True


def _take_store(words: list[str]) -> tuple[str | None, list[str]]:
    stores = [w for w in words if w.lower().startswith("store:")]
    if len(stores) > 1:
        raise Problem("two_stores", suggestion=stores[0][:60])
    rest = [w for w in words if not w.lower().startswith("store:")]
    name = stores[0].split(":", 1)[1].rstrip("?!.,;") if stores else None
    if name == "":
        raise Problem("empty_store", suggestion="store:shop-it")
    return name, rest


def _read(words: list[str], store: str | None) -> Query | Command:
    if not words:
        raise Problem("empty", expects="empty")
    if words[0] in COMMAND_WORDS:
        return Command(COMMAND_WORDS[words[0]], tuple(canonical_words(words[1:])), store)
    tokens = scan(words)
    if not any(token.kind in ("metric", "hint") for token in tokens):
        raise _no_metric(tokens)
    parts: dict[str, Token] = {}
    index = 0
    while index < len(tokens):
        index = _take(tokens, index, parts)
    return _query(parts, store)


def _no_metric(tokens: list[Token]) -> Problem:
    unknown = next((token for token in tokens if token.kind == "unknown"), None)
    if unknown is None:
        return Problem("no_metric", expects="no_metric")
    return Problem("unknown_metric", {"word": unknown.text[:40]}, (unknown.start, unknown.end), "metric")


_TWICE = {"metric": "two_metrics", "period": "two_periods", "by": "two_dimensions"}  # a part said twice, differently


def _take(tokens: list[Token], index: int, parts: dict[str, Token]) -> int:
    """Put the construct at ``index`` into ``parts``; return where the next one starts."""
    token = tokens[index]
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    if token.kind == "vs":
        _put(parts, "compare", _comparison(token, following), "two_comparisons")
        return index + 2
    if token.kind == "by_marker":
        raise _bad_dimension(token, following)
    if token.kind == "compare":
        raise Problem("compare_needs_vs", {"word": token.text}, (token.start, token.end), suggestion=f"vs {token.text}")
    if token.kind == "unknown":
        raise _unknown(token, parts, tokens[index:])
    if token.kind == "hint":
        parts.setdefault("hint", token)
        return index + 1
    _put(parts, token.kind, token, _TWICE[token.kind])
    return index + 1


def _put(parts: dict[str, Token], slot: str, token: Token, code: str) -> None:
    known = parts.get(slot)
    if known is not None and known.value != token.value:
        fix = f"vs {token.text}" if slot == "period" else None
        raise Problem(code, {"first": known.text, "second": token.text}, (token.start, token.end), suggestion=fix)
    parts[slot] = token


def _comparison(marker: Token, following: Token | None) -> Token:
    if following is None:
        raise Problem("missing_comparison", span=(marker.start, marker.end), expects="compare", marker=marker.text,
                      suggestion=f"{marker.text} ly")
    if following.kind not in ("compare", "period"):
        raise Problem("bad_comparison", {"word": f"{marker.text} {following.text}"[:60]},
                      (marker.start, following.end), "compare", marker=marker.text)
    return following


def _bad_dimension(marker: Token, following: Token | None) -> Problem:
    end = following.end if following else marker.end
    return Problem("bad_dimension", {"word": following.text if following else ""}, (marker.start, end), "dimension",
                   marker=marker.text)


def _unknown(token: Token, parts: dict[str, Token], rest: list[Token]) -> Problem:
    if (first := token.text.split()[0]) in MONTH_NUMBERS:
        return Problem("month_needs_year", {"month": first}, (token.start, token.end))
    has_period = "period" in parts or any(later.kind == "period" for later in rest)
    code = "unknown_word" if has_period else "unknown_period"
    return Problem(code, {"word": token.text[:40]}, (token.start, token.end), "period")


def _query(parts: dict[str, Token], store: str | None) -> Query:
    metric = BY_NAME[(parts.get("metric") or parts["hint"]).value]
    period = parse_period(parts["period"].value) if "period" in parts else DEFAULT
    compare: str | PeriodSpec = "prev"
    if (against := parts.get("compare")) is not None:
        compare = against.value if against.kind == "compare" else parse_period(against.value)
    by = parts["by"].value if "by" in parts else None
    return Query(metric, period, compare, by, store)
