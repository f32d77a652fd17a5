"""The shape of the source tree: no module over 450 lines, no import cycle between modules.

The import graph holds the imports a module runs when it is imported: those at module level,
including inside ``try``/``if`` blocks, but not those inside functions or under
``if TYPE_CHECKING:`` (neither runs at import time). A second graph adds the imports inside
functions, which hide a cycle from Python but not from the reader. ``from . import x`` counts
as an import of the submodule ``x`` when there is one. Importing ``a.b.c`` also runs
``a/__init__`` and ``a/b/__init__``, but that is left out: a module importing a sibling does
not depend on its package's facade.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "josekit"
MAX_LINES = 450

# Modules still over MAX_LINES, or on a cycle that an import inside a function hides, while
# issue #11 is under way: whoever mends one deletes its entry (the test of an entry that is
# no longer needed fails, to say so). No module is on a cycle of module-level imports.
PENDING_LONG: frozenset[str] = frozenset()
PENDING_DEFERRED_CYCLES: frozenset[str] = frozenset()


def _module_name(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES: dict[str, Path] = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_statements(node: ast.AST, deferred: bool) -> list[ast.Import | ast.ImportFrom]:
    """The import statements under ``node`` that run when the module is imported; with
    ``deferred``, also those inside functions (they run on first call). Never those under
    ``if TYPE_CHECKING:``, which never run."""
    found: list[ast.Import | ast.ImportFrom] = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.Import, ast.ImportFrom)):
            found.append(child)
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            for statement in child.orelse:
                found += _import_statements(ast.Module(body=[statement], type_ignores=[]), deferred)
        elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            if deferred:
                found += _import_statements(child, deferred)
        else:
            found += _import_statements(child, deferred)
    return found


def _imports(name: str, deferred: bool) -> set[str]:
    """The josekit modules that module ``name`` imports (see :func:`_import_statements`)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in _import_statements(ast.parse(path.read_text("utf-8")), deferred):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            if node.level:
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            # `from pkg import sub` imports the submodule pkg.sub when there is one.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        out.update(t for t in targets if t in MODULES and t != name)
    return out


@cache
def _graph(deferred: bool = False) -> dict[str, frozenset[str]]:
    return {name: frozenset(_imports(name, deferred)) for name in MODULES}


def _cycle_through(start: str, graph: dict[str, frozenset[str]]) -> list[str] | None:
    """A shortest import path from ``start`` back to itself in ``graph``, or None."""
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for target in sorted(graph[node]):
                if target == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [start, *reversed(path[:-1]), start]
                if target not in previous:
                    previous[target] = node
                    following.append(target)
        frontier = following
    return None


def _cases(pending: frozenset[str], what: str) -> list[object]:
    return [
        pytest.param(
            name,
            marks=pytest.mark.xfail(
                strict=True,
                reason=f"{name} is in {what} (issue #11): when this passes, delete the entry",
            ),
        )
        if name in pending
        else name
        for name in MODULES
    ]


@pytest.mark.parametrize("name", _cases(PENDING_LONG, "PENDING_LONG"))
def test_no_module_is_over_450_lines(name: str) -> None:
    lines = len(MODULES[name].read_text("utf-8").splitlines())
    assert lines <= MAX_LINES, (
        f"{MODULES[name].relative_to(SRC)} has {lines} lines: split it along its jobs "
        f"(at most {MAX_LINES}, DESIGN.md)"
    )


@pytest.mark.parametrize("name", list(MODULES))
def test_no_module_is_on_an_import_cycle(name: str) -> None:
    cycle = _cycle_through(name, _graph())
    assert cycle is None, (
        "import cycle: " + " -> ".join(cycle) + " (the table imports its rows, rows never "
        "import the table; move what both need into a module below them)"
    )


@pytest.mark.parametrize("name", _cases(PENDING_DEFERRED_CYCLES, "PENDING_DEFERRED_CYCLES"))
def test_no_module_is_on_an_import_cycle_through_deferred_imports(name: str) -> None:
    # An import inside a function hides a cycle from Python, not from the reader: the two
    # modules still need each other.
    cycle = _cycle_through(name, _graph(deferred=True))
    assert cycle is None, (
        "import cycle through an import inside a function: " + " -> ".join(cycle) + " (a "
        "lower layer must not reach up; pass what it needs in, or move it down)"
    )


def test_pending_entries_name_existing_modules() -> None:
    # one test over all entries: it runs (and passes) when the sets are empty, never skips
    gone = sorted((PENDING_LONG | PENDING_DEFERRED_CYCLES) - MODULES.keys())
    assert not gone, f"{gone} no longer exist: delete them from the pending sets"


def test_the_graph_sees_the_imports_that_run() -> None:
    graph = _graph()
    # module level, relative and absolute
    assert "josekit.jwk._key" in graph["josekit.jwk"]
    assert "josekit.errors" in graph["josekit.jwk._key"]
    # `from . import _rsa` is an import of the submodule
    assert "josekit.jwk._rsa" in graph["josekit.jwk._kty"]
    # the rows of the kty table never import it, nor Key
    for row in ("_rsa", "_ec", "_okp", "_oct", "_akp"):
        for above in ("josekit.jwk._kty", "josekit.jwk._key"):
            assert above not in _graph(deferred=True)[f"josekit.jwk.{row}"]


def test_the_cycle_finder_finds_a_cycle() -> None:
    graph = dict(_graph())
    graph["josekit.jwk._rsa"] = graph["josekit.jwk._rsa"] | {"josekit.jwk._kty"}
    assert _cycle_through("josekit.jwk._rsa", graph) == [
        "josekit.jwk._rsa",
        "josekit.jwk._kty",
        "josekit.jwk._rsa",
    ]
    graph["josekit.jwk._kty"] = graph["josekit.jwk._kty"] | {"josekit.jwk._meta"}
    graph["josekit.jwk._meta"] = graph["josekit.jwk._meta"] | {"josekit.jwk._oct"}
    graph["josekit.jwk._oct"] = graph["josekit.jwk._oct"] | {"josekit.jwk._kty"}
    assert _cycle_through("josekit.jwk._meta", graph) == [
        "josekit.jwk._meta",
        "josekit.jwk._oct",
        "josekit.jwk._kty",
        "josekit.jwk._meta",
    ]


_SOURCE = """
from typing import TYPE_CHECKING
import josekit.errors
if TYPE_CHECKING:
    from josekit.jwk import _key
else:
    from josekit import policy
try:
    from josekit import _b64
except ImportError:
    pass
class C:
    from josekit import jws
def f():
    from josekit import _json
"""


@pytest.mark.parametrize(
    ("deferred", "expected"),
    [
        (
            False,
            [
                "typing.TYPE_CHECKING",
                "josekit.errors",
                "josekit.policy",
                "josekit._b64",
                "josekit.jws",
            ],
        ),
        (
            True,
            [
                "typing.TYPE_CHECKING",
                "josekit.errors",
                "josekit.policy",
                "josekit._b64",
                "josekit.jws",
                "josekit._json",
            ],
        ),
    ],
)
def test_which_imports_count(deferred: bool, expected: list[str]) -> None:
    statements = _import_statements(ast.parse(_SOURCE), deferred)
    names = [
        alias.name if isinstance(node, ast.Import) else f"{node.module}.{alias.name}"
        for node in statements
        for alias in node.names
    ]
    assert names == expected
