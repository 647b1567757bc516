"""What a query that cannot be read tells its user, in English and Italian.

``QueryError`` carries a machine-readable ``code`` and ``params``; ``describe`` words it in
a language from ``QUERY_STRINGS``, the one table of these sentences (``bot.i18n`` serves it
to the bot). ``str(error)`` is the English sentence, for the CLI's one-line error.
"""

from __future__ import annotations

from collections.abc import Mapping

DIMENSIONS_EN = "channel, device, visitor, campaign, segment"
DIMENSIONS_IT = "canale, dispositivo, visitatore, campagna, segmento"

QUERY_STRINGS: dict[str, tuple[str, str]] = {
    "query_empty": ("Ask for a KPI", "Chiedi un KPI"),
    "query_no_metric": ("Say which KPI you want", "Di' quale KPI vuoi"),
    "query_unknown_metric": ("I don't know the KPI `{word}`", "Non conosco il KPI `{word}`"),
    "query_two_metrics": ("Ask for one KPI at a time, not `{first}` and `{second}`",
                          "Chiedi un KPI alla volta, non `{first}` e `{second}`"),
    "query_unknown_period": ("`{word}` is not a period", "`{word}` non è un periodo"),
    "query_unknown_word": ("I don't understand `{word}`", "Non capisco `{word}`"),
    "query_two_periods": ("Give one period, not `{first}` and `{second}`: put `vs` before the one to compare with",
                          "Indica un solo periodo, non `{first}` e `{second}`: metti `vs` prima di quello "
                          "da confrontare"),
    "query_missing_comparison": ("`vs` needs `prev`, `ly` or a period",
                                 "`vs` vuole `periodo precedente`, `anno scorso` o un periodo"),
    "query_bad_comparison": ("`{word}` is not a comparison: use `vs prev`, `vs ly` or a period",
                             "`{word}` non è un confronto: usa `vs periodo precedente`, `vs anno scorso` "
                             "o un periodo"),
    "query_compare_needs_vs": ("`{word}` is a comparison, not a period: put `vs` before it",
                               "`{word}` è un confronto, non un periodo: mettici `vs` davanti"),
    "query_two_comparisons": ("Compare with one period at a time", "Confronta con un periodo alla volta"),
    "query_bad_dimension": (f"`by` takes one of {DIMENSIONS_EN}", f"`per` vuole uno tra {DIMENSIONS_IT}"),
    "query_two_dimensions": ("Split by one dimension at a time", "Dividi per una dimensione alla volta"),
    "query_two_stores": ("Name one store only", "Indica un solo negozio"),
    "query_empty_store": ("`store:` needs a store name", "`store:` vuole il nome di un negozio"),
    "query_days_out_of_range": ("{days} days is out of range: use 1 to {max} days",
                                "{days} giorni sono fuori scala: usa da 1 a {max} giorni"),
    "query_bad_date": ("`{text}` is not a valid date: write it as YYYY-MM-DD (or day/month/year)",
                       "`{text}` non è una data valida: scrivila come AAAA-MM-GG (o giorno/mese/anno)"),
    "query_bad_month": ("`{text}` is not a month: write it as YYYY-MM or as `november 2025`",
                        "`{text}` non è un mese: scrivilo come AAAA-MM o come `novembre 2025`"),
    "query_year_out_of_range": ("`{text}` is outside the years {first}–{last}: check the year",
                                "`{text}` è fuori dagli anni {first}–{last}: controlla l'anno"),
    "query_range_reversed": ("The range {text} ends before it starts: write the earlier date first",
                             "L'intervallo {text} finisce prima di cominciare: scrivi prima la data più vecchia"),
    "query_range_too_long": ("The range {text} is longer than {max} days",
                             "L'intervallo {text} supera i {max} giorni"),
    "query_month_needs_year": ("`{month}` needs a year: write `{month} 2025`, for example",
                               "`{month}` vuole l'anno: scrivi per esempio `{month} 2025`"),
    "query_not_kpi_nor_period": ("`{word}` is neither a KPI nor a period", "`{word}` non è né un KPI né un periodo"),
    "query_did_you_mean": ("Did you mean `{suggestion}`?", "Forse intendevi `{suggestion}`?"),
    "query_example": ("Example: `{example}`", "Esempio: `{example}`"),
    "query_echo": ("Ran as `{canonical}`", "Eseguito come `{canonical}`"),
    "query_help_natural": ("Plain words work too: `revenue yesterday`, `aov last 30 days`, "
                           "`orders last month vs last year`, `revenue this month by channel`.",
                           "Puoi anche scrivere a parole: `fatturato ieri`, `scontrino medio ultimi 30 giorni`, "
                           "`ordini mese scorso vs anno scorso`, `fatturato questo mese per canale`."),
}

EXAMPLE = "aov last-30d vs ly by channel"


class QueryError(ValueError):
    """A query that cannot be read: the problem, a "did you mean" and one example.

    Built with ``code=`` and ``params=`` (worded by ``QUERY_STRINGS``), or, for callers that
    have no code yet, with an English ``problem`` sentence that every language then shows.
    """

    exit_code = 2

    def __init__(self, problem: str | None = None, suggestion: str | None = None, example: str = EXAMPLE, *,
                 code: str = "", params: Mapping[str, object] | None = None, language: str = "en") -> None:
        self.code = code
        self.params = {key: value[:60] if isinstance(value, str) else value for key, value in (params or {}).items()}
        self.suggestion = suggestion
        self.example = example
        self.language = language  # the language of the user's words: the suggestion and example use it
        self.problem_is_worded = problem is None  # else a caller's English sentence, shown in every language
        self.problem = problem if problem is not None else _problem(code, "en", self.params)
        super().__init__(describe(self, "en"))


def describe(error: QueryError, language: str) -> str:
    """The one-line message: problem, "did you mean" and example, in ``language`` (en or it)."""
    parts = [(_problem(error.code, language, error.params) if error.problem_is_worded else error.problem) + "."]
    if error.suggestion:
        parts.append(_word("query_did_you_mean", language, suggestion=error.suggestion))
    parts.append(_word("query_example", language, example=error.example))
    return " ".join(parts)


def _problem(code: str, language: str, params: Mapping[str, object]) -> str:
    if f"query_{code}" not in QUERY_STRINGS:
        return code.replace("_", " ").capitalize() or "I cannot read that"
    return _word(f"query_{code}", language, **params)


def _word(key: str, language: str, **params: object) -> str:
    english, italian = QUERY_STRINGS[key]
    return (italian if language == "it" else english).format(**params)
