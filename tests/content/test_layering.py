"""The loader is the root of the pipeline: it imports nothing above it.

Release notes and trees reach the loader as registered sections (entry points in
``pyproject.toml``), so ``helpdesk.content`` never imports the packages that consume
the knowledge base, and ``helpdesk lint`` loads neither the terminal app nor the site
engine nor search. ``helpdesk search`` on an unchanged KB loads neither the content models
nor pydantic (the freshness check reads file times).
"""

from __future__ import annotations

import ast
import json
import shutil
import subprocess
import sys
from pathlib import Path

from helpdesk.content.sections import registered_sections

SRC = Path(__file__).parents[2] / "src" / "helpdesk"
REAL_KB = Path(__file__).parents[2] / "kb"
ABOVE_CONTENT = ("releases", "diagnostics", "publish", "search", "tui", "access", "server")


def _imports(path: Path, *, types_too: bool = False) -> list[str]:
    """Every helpdesk module ``path`` imports, at any depth; ``if TYPE_CHECKING`` blocks
    only with ``types_too``."""
    found: list[str] = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            type_only = isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test)
            if type_only and not types_too:
                continue
            if isinstance(child, ast.ImportFrom) and child.module:
                found.append(child.module)
            elif isinstance(child, ast.Import):
                found.extend(alias.name for alias in child.names)
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return [name for name in found if name.startswith("helpdesk.")]


def test_content_imports_no_package_above_it() -> None:
    offenders = [
        f"{path.name} imports {name}"
        for path in sorted((SRC / "content").glob("*.py"))
        for name in _imports(path)
        if name.split(".")[1] in ABOVE_CONTENT
    ]
    assert offenders == []


def _sub_package_imports() -> dict[str, dict[str, str]]:
    """For each sub-package of helpdesk, the other sub-packages it imports (for types
    too: an arrow is an arrow), each with one module that does (the top-level modules,
    such as cli and errors, are left out)."""
    packages = {path.name for path in SRC.iterdir() if (path / "__init__.py").exists()}
    graph: dict[str, dict[str, str]] = {name: {} for name in packages}
    for path in sorted(SRC.rglob("*.py")):
        owner = path.relative_to(SRC).parts[0]
        if owner not in packages:
            continue
        for name in _imports(path, types_too=True):
            target = name.split(".")[1]
            if target in packages and target != owner:
                graph[owner].setdefault(target, str(path.relative_to(SRC)))
    return graph


def test_no_import_cycle_between_sub_packages() -> None:
    graph = _sub_package_imports()

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            here = todo.pop()
            if here == goal:
                return True
            if here not in seen:
                seen.add(here)
                todo.extend(graph[here])
        return False

    back_edges = [
        f"{owner} -> {target} ({module}), and {target} leads back to {owner}"
        for owner, targets in sorted(graph.items())
        for target, module in sorted(targets.items())
        if reaches(target, owner)
    ]
    assert back_edges == []


def test_releases_and_trees_are_registered_sections() -> None:
    assert [(s.name, s.order) for s in registered_sections()] == [("releases", 10), ("trees", 20)]


def _modules_after(code: str) -> set[str]:
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    )
    return set(json.loads(done.stdout.splitlines()[-1]))


def test_lint_loads_neither_the_terminal_app_nor_the_site_nor_search() -> None:
    loaded = _modules_after(
        "from helpdesk.cli import cli\n"
        f"cli(['lint', '--kb', {str(REAL_KB)!r}], standalone_mode=False)"
    )
    assert "helpdesk.diagnostics.loader" in loaded  # trees are checked...
    # (The tree checker still proves lookups against the access client's reply models,
    # which imports httpx: that dependency is the diagnostics package's, not the loader's.)
    unwanted = {"textual", "helpdesk.tui", "helpdesk.server", "helpdesk.publish", "whoosh"}
    assert loaded.isdisjoint(unwanted), sorted(loaded & unwanted)  # ...without these


def test_search_on_an_unchanged_kb_does_not_load_it(tmp_path: Path) -> None:
    kb_dir = shutil.copytree(REAL_KB, tmp_path / "kb", ignore=shutil.ignore_patterns(".cache"))
    args = ["search", "--kb", str(kb_dir), "--json", "pin"]
    run = f"from helpdesk.cli import cli\ncli({args!r}, standalone_mode=False)"
    first = _modules_after(run)  # builds the indexes: loads and validates the KB
    assert "pydantic" in first
    again = _modules_after(run)
    assert "helpdesk.search.engine" in again
    assert not {m for m in again if m.startswith(("pydantic", "helpdesk.content", "rich"))}
