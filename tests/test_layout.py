"""The layout keeps showing the design: rooms by role, layers that never import upward, no cycle.

- only ``connectors/`` writes SQL; ``kpi/`` and ``bot/render/`` never touch a database;
- project imports sit at module top (the dependency graph is visible), except the CLI's
  lazy points that keep `kpibot --help` fast (``LAZY``);
- no import cycle; no folder of more than ``ROOM_SIZE`` modules.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "connectors", "kpi", "schedules")
PROJECT = re.compile(r"^(bot|kpi|connectors|schedules)(\.|$)")
SQL = re.compile(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+TABLE)\b", re.I)
ROOM_SIZE = 15
# Lazy by design: command modules are imported to build `kpibot --help`, so each imports what
# its run() needs inside it; the CLI's error handler avoids sqlite_utils (~0.25 s) for --help.
LAZY = ("bot/cli/commands/", "bot/cli/main.py")
LAYERS = {"connectors": 0, "kpi": 1, "schedules": 2, "bot": 3}
# The one module every layer may read: typed settings, plain values that import nothing of the project.
SHARED = ("kpi.settings",)


def modules() -> list[Path]:
    return sorted(path for package in PACKAGES for path in (ROOT / package).rglob("*.py"))


def name_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, top_only: bool) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text())
    checking = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(
        node.test) for n in ast.walk(node)}
    found = []
    for node in ast.walk(tree):
        if id(node) in checking or (top_only and node.col_offset > 0 if hasattr(node, "col_offset") else False):
            continue
        if isinstance(node, ast.ImportFrom) and node.module and PROJECT.match(node.module):
            found.append((node.module, node.col_offset))
        elif isinstance(node, ast.Import):
            found.extend((alias.name, node.col_offset) for alias in node.names if PROJECT.match(alias.name))
    return found


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", [p for p in modules() if not relative(p).startswith("connectors/")], ids=relative)
def test_only_connectors_write_sql(path):
    strings = [node.value for node in ast.walk(ast.parse(path.read_text()))
               if isinstance(node, ast.Constant) and isinstance(node.value, str)]
    assert not [s for s in strings if SQL.search(s)]


@pytest.mark.parametrize("path", [p for p in modules() if relative(p).startswith(("kpi/", "bot/render/"))],
                         ids=relative)
def test_the_maths_and_the_renderers_never_touch_a_database(path):
    text = path.read_text()
    assert "sqlite_utils" not in text and "connectors" not in {m.split(".")[0] for m, _ in imports(path, False)}


@pytest.mark.parametrize("path", [p for p in modules() if not relative(p).startswith(LAZY)], ids=relative)
def test_project_imports_sit_at_module_top(path):
    assert [module for module, column in imports(path, False) if column > 0] == []


def test_layers_never_import_upward():
    upward = [(name_of(p), m) for p in modules() for m, _ in imports(p, False)
              if LAYERS[m.split(".")[0]] > LAYERS[name_of(p).split(".")[0]] and m not in SHARED]
    assert upward == []
    assert all(not PROJECT.match(m) for module in SHARED
               for m, _ in imports(ROOT / (module.replace(".", "/") + ".py"), False))


def test_there_is_no_import_cycle():
    graph = {name_of(p): {m for m, _ in imports(p, True)} for p in modules()}
    names = set(graph)

    def resolve(module: str) -> str | None:
        while module and module not in names:
            module = module.rpartition(".")[0]
        return module or None

    edges = {name: {target for m in targets if (target := resolve(m)) and target != name} for name, targets in
             graph.items()}
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for target in sorted(edges[node]):
            if state.get(target) == 1 and not (node.startswith(target + ".") or target.endswith("__init__")):
                if not _package_init(target, node):
                    return [*path, node, target]
            if target not in state and (cycle := visit(target, [*path, node])):
                return cycle
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node, [])):
            pytest.fail(" -> ".join(cycle))


def _package_init(target: str, node: str) -> bool:
    """A module importing its own package's __init__ (e.g. kpi.catalogue.orders <- kpi.catalogue) is no cycle."""
    return node.startswith(target + ".")


@pytest.mark.parametrize("folder", sorted({p.parent for p in modules()}), ids=lambda f: relative(f) or ".")
def test_no_room_holds_more_than_fifteen_modules(folder):
    assert len([p for p in folder.glob("*.py") if p.name != "__init__.py"]) <= ROOM_SIZE
