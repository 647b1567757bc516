"""The query language of `/kpi` and `kpibot ask` (SPEC §6).

``<metric> [<period>] [vs <period>|vs prev|vs ly] [by <dimension>] [store:<name>]``, or a
command (help, list, digest, targets, status, alerts, anomalies). Anything else raises
``QueryError`` with the problem, a "did you mean" and an example: never another error.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from kpi.catalogue import CATALOGUE
from kpi.metric import Metric
from kpi.periods import DEFAULT, KEYWORDS, PeriodError, PeriodSpec, parse_period

COMMANDS = ("help", "list", "digest", "targets", "status", "alerts", "anomalies")
DIMENSIONS = ("channel", "device", "visitor", "campaign", "segment")
DIMENSION_ALIASES = {"canale": "channel", "canali": "channel", "channels": "channel", "dispositivo": "device",
                     "devices": "device", "visitatore": "visitor", "visitatori": "visitor", "campagna": "campaign",
                     "campaigns": "campaign", "segmento": "segment", "segmenti": "segment", "rfm": "segment"}
EXAMPLE = "aov last-30d vs ly by channel"


class QueryError(ValueError):
    exit_code = 2

    def __init__(self, problem: str, suggestion: str | None = None, example: str = EXAMPLE) -> None:
        self.problem = problem
        self.suggestion = suggestion
        self.example = example
        hint = f" Did you mean `{suggestion}`?" if suggestion else ""
        super().__init__(f"{problem}.{hint} Example: `{example}`")


@dataclass(frozen=True)
class Query:
    metric: Metric
    period: PeriodSpec = DEFAULT
    compare: str | PeriodSpec = "prev"  # prev | ly | an explicit period
    by: str | None = None
    store: str | None = None


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...] = ()
    store: str | None = None


def _names() -> dict[str, Metric]:
    names: dict[str, Metric] = {}
    for metric in CATALOGUE:
        for name in (metric.name, *metric.aliases):
            names[name.lower()] = metric
            names[name.lower().replace("_", "-")] = metric
    return names


METRIC_NAMES = _names()


def find_metric(word: str) -> Metric | None:
    return METRIC_NAMES.get(word.lower().replace("_", "-")) or METRIC_NAMES.get(word.lower())


def closest(word: str, candidates: list[str] | tuple[str, ...]) -> str | None:
    matches = difflib.get_close_matches(word.lower(), list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None


def parse(text: str) -> Query | Command:
    words = text.replace("\u00a0", " ").split()
    store, words = _take_store(words)
    if not words:
        raise QueryError("Ask for a KPI", "aov last-30d", "aov last-30d")
    head = words[0].lower()
    if head in COMMANDS:
        return Command(head, tuple(words[1:]), store)
    metric, used = _metric_at_start(words)
    return _parse_rest(metric, words[used:], store)


def _take_store(words: list[str]) -> tuple[str | None, list[str]]:
    stores = [w for w in words if w.lower().startswith("store:")]
    if len(stores) > 1:
        raise QueryError("Name one store only", stores[0], f"aov last-30d {stores[0]}")
    rest = [w for w in words if not w.lower().startswith("store:")]
    if stores:
        name = stores[0].split(":", 1)[1]
        if not name:
            raise QueryError("`store:` needs a store name", None, "aov last-30d store:shop-it")
        return name, rest
    return None, rest


def _metric_at_start(words: list[str]) -> tuple[Metric, int]:
    if len(words) > 1 and (metric := find_metric(f"{words[0]}-{words[1]}")):
        return metric, 2  # Italian names typed with a space: "scontrino medio"
    if len(words) > 2 and (metric := find_metric(f"{words[0]}-{words[1]}-{words[2]}")):
        return metric, 3
    if metric := find_metric(words[0]):
        return metric, 1
    guess = closest(words[0], [*METRIC_NAMES, *COMMANDS])
    raise QueryError(f"I don't know the KPI `{words[0][:40]}`", guess, "aov last-30d")


def _parse_rest(metric: Metric, words: list[str], store: str | None) -> Query:
    period: PeriodSpec | None = None
    compare: str | PeriodSpec = "prev"
    by: str | None = None
    index = 0
    while index < len(words):
        word = words[index].lower()
        following = words[index + 1].lower() if index + 1 < len(words) else None
        if word in ("vs", "contro"):
            compare = _comparison(following, metric)
            index += 2
        elif word in ("by", "per"):
            by = _dimension(following, metric)
            index += 2
        elif period is None:
            period = _period(word, metric)
            index += 1
        else:
            raise QueryError(f"I don't understand `{words[index][:40]}` after the period",
                             f"{metric.name} {period.text} vs ly", f"{metric.name} last-30d vs ly")
    return Query(metric, period or DEFAULT, compare, by, store)


def _comparison(word: str | None, metric: Metric) -> str | PeriodSpec:
    if word in ("prev", "previous", "prec", "precedente"):
        return "prev"
    if word in ("ly", "last-year", "anno-scorso", "ap"):
        return "ly"
    if word is None:
        raise QueryError("`vs` needs `prev`, `ly` or a period", f"{metric.name} last-30d vs ly")
    try:
        return parse_period(word)
    except PeriodError:
        raise QueryError(f"`vs {word[:40]}` is not a comparison: use `vs prev`, `vs ly` or a period",
                         f"vs {closest(word, ['prev', 'ly', *KEYWORDS]) or 'ly'}",
                         f"{metric.name} last-30d vs ly") from None


def _dimension(word: str | None, metric: Metric) -> str:
    dimension = DIMENSION_ALIASES.get(word or "", word)
    if dimension in DIMENSIONS:
        return dimension
    guess = closest(word or "", DIMENSIONS)
    raise QueryError(f"`by` takes one of {', '.join(DIMENSIONS)}",
                     f"by {guess}" if guess else None, f"{metric.name} last-30d by channel")


def _period(word: str, metric: Metric) -> PeriodSpec:
    try:
        return parse_period(word)
    except PeriodError as error:
        guess = closest(word, KEYWORDS)
        problem = str(error) if any(c.isdigit() for c in word) else f"`{word[:40]}` is not a period"
        raise QueryError(problem[0].upper() + problem[1:], guess, f"{metric.name} last-30d") from None
