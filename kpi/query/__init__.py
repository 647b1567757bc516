"""The query language of `/kpi` and `kpibot ask` (SPEC §6): vocabulary as data, grammar, parser, errors."""
