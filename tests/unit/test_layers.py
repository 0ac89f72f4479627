"""The layering is machine-checked: import-linter holds the arrows (web -> door ->
access / audit -> models -> crypto, keys between the door and the models), a deliberate
back-import makes it fail, and no two modules import each other, even through others."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from casework.settings import PROJECT_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(  # noqa: S603 - the project's own tool on its own tree
        [str(LINT_IMPORTS), "--no-cache", str(root / ".importlinter")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package and the contracts, to break on purpose."""
    root = tmp_path_factory.mktemp("layers")
    shutil.copytree(
        PROJECT_ROOT / "casework", root / "casework", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(PROJECT_ROOT / ".importlinter", root / ".importlinter")
    return root


def test_the_contracts_hold_on_the_tree(scratch: Path) -> None:
    result = _lint(scratch)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "back_import", "message"),
    [
        ("crypto/aead.py", "import casework.models.case", "casework.crypto is not allowed"),
        ("audit/chain.py", "import casework.casefile", "casework.audit is not allowed"),
        ("access/policy.py", "import casework.casefile.work", "casework.access is not allowed"),
        (
            "forms/search.py",
            "import casework.models.case",
            "casework.forms is not allowed to import casework.models",
        ),
        (
            "views/main.py",
            "import sqlalchemy",
            "casework.views is not allowed to import sqlalchemy",
        ),
    ],
)
def test_a_back_import_breaks_the_contracts(
    scratch: Path, module: str, back_import: str, message: str
) -> None:
    target = scratch / "casework" / module
    original = target.read_text()
    try:
        target.write_text(original + f"\n{back_import}  # a deliberate back-import\n")
        result = _lint(scratch)
    finally:
        target.write_text(original)
    assert result.returncode != 0
    assert message in result.stdout, result.stdout


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for start in sorted(graph.modules):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.find_modules_directly_imported_by(start))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1:
                        found.append(sorted(group))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child)))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_no_module_imports_itself_through_others() -> None:
    assert _cycles(grimp.build_graph("casework")) == []


def test_the_cycle_check_finds_a_circle() -> None:
    graph = grimp.ImportGraph()
    for module in ("a", "a.x", "a.y", "a.z"):
        graph.add_module(module)
    graph.add_import(importer="a.x", imported="a.y")
    graph.add_import(importer="a.y", imported="a.z")
    graph.add_import(importer="a.z", imported="a.x")
    assert _cycles(graph) == [["a.x", "a.y", "a.z"]]
