"""Views reach case data only through casework.casefile: they import no model and no
SQLAlchemy, and never call a method on the database session themselves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from casework.settings import PROJECT_ROOT

VIEW_FILES = sorted((PROJECT_ROOT / "casework" / "views").glob("*.py"))
FORBIDDEN_IMPORTS = ("casework.models", "sqlalchemy")


def _violations(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module.startswith(FORBIDDEN_IMPORTS):
                found.append(f"line {node.lineno}: imports {node.module}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(FORBIDDEN_IMPORTS):
                    found.append(f"line {node.lineno}: imports {alias.name}")
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            target = node.func.value
            if (
                isinstance(target, ast.Call)
                and isinstance(target.func, ast.Attribute)
                and target.func.attr == "session"
            ):
                found.append(f"line {node.lineno}: calls session().{node.func.attr}")
    return found


@pytest.mark.parametrize("path", VIEW_FILES, ids=lambda p: p.name)
def test_views_do_not_touch_models_or_the_session(path: Path) -> None:
    assert _violations(path.read_text()) == []


@pytest.mark.parametrize(
    "source",
    [
        "from casework.models import Case\n",
        "from casework.models.case import Child\n",
        "import sqlalchemy\n",
        "from sqlalchemy import select\n",
        "db.session().scalars(q)\n",
        "db.session().get(Case, 1)\n",
    ],
)
def test_the_check_catches_direct_access(source: str) -> None:
    assert _violations(source) != []


def test_views_exist() -> None:
    assert len(VIEW_FILES) >= 4
