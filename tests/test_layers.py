"""The package's modules import one another without a cycle.

Every ``smmsim`` module is parsed with :mod:`ast` (nothing is imported): each
``import`` and ``from ... import`` statement counts, at module level or inside a
function, and so does each ``lazy_module("smmsim....")`` call. Imports under
``if TYPE_CHECKING:`` do not run and are left out. Importing ``a.b.c`` runs the
packages ``a`` and ``a.b`` on the way, so it counts as an edge to each of them too,
except to the importer's own packages (which are already being run when it is: a
package's ``__init__`` re-exporting its own modules is not a cycle).
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "smmsim"


def module_files() -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package."""
    files = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        files[".".join(parts)] = path
    return files


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _absolute(module: str | None, level: int, here: str, is_package: bool) -> str:
    if level == 0:
        return module or ""
    base = here.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def imported_modules(name: str, path: Path, modules: set[str]) -> set[str]:
    """The package's modules that module ``name`` imports when it runs."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    own = {name.rsplit(".", i)[0] for i in range(name.count(".") + 1)}

    def target(dotted: str) -> None:
        while dotted and dotted not in modules:
            dotted = dotted.rpartition(".")[0]
        parts = dotted.split(".") if dotted else []
        for i in range(1, len(parts) + 1):
            package = ".".join(parts[:i])
            if package not in own:
                found.add(package)

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                target(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = _absolute(node.module, node.level, name, is_package)
            for alias in node.names:
                full = f"{base}.{alias.name}"
                target(full if full in modules else base)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and (getattr(node.func, "id", None) or getattr(node.func, "attr", None))
            == "lazy_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            target(node.args[0].value)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports."""
    files = module_files()
    names = set(files)
    return {name: imported_modules(name, path, names) for name, path in files.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a path whose last entry repeats the first, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := walk(node)):
            return cycle
    return None


def test_graph_sees_imports_in_functions_and_lazy_modules():
    graph = import_graph()
    assert "smmsim.simulate" in graph["smmsim.threshold.seeds"]  # inside a function
    assert "smmsim._kernels.bass" in graph["smmsim.models.bass"]  # lazy_module("...")
    # the package run on the way, but not the importer's own package
    assert "smmsim._kernels" in graph["smmsim.models.bass"]
    assert "smmsim.models" not in graph["smmsim.models.bass"]


def test_find_cycle_reports_the_path():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    """Every module ``start`` imports, directly or through others."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return seen


def test_writing_results_never_simulates():
    """Results and their pictures are written from what was computed: nothing they
    import runs a simulation, traces a run or builds an audience."""
    graph = import_graph()
    for start in ("smmsim.results", "smmsim.plots.runs", "smmsim.plots.animation"):
        found = reachable(graph, start) & {"smmsim.simulate", "smmsim.trace", "smmsim.audience"}
        assert not found, f"{start} imports {sorted(found)}"
