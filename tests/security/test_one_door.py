"""Views reach case data only through casework.casefile: they import no model, no
crypto and no SQLAlchemy, and never use the database session themselves. The session
reaches the door only as an argument: `*door()`, or `db.session()` passed straight on to
an account function. import-linter holds the same line for whole packages (`make lint`);
this test also catches a session held in a variable, which imports cannot show."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from casework.settings import PROJECT_ROOT

VIEW_FILES = sorted((PROJECT_ROOT / "casework" / "views").glob("*.py"))
FORM_FILES = sorted((PROJECT_ROOT / "casework" / "forms").glob("*.py"))
FORBIDDEN = ("casework.models", "casework.crypto", "casework.keys", "sqlalchemy")
FORBIDDEN_NAMES = {"models", "crypto", "keys"}
# The one place that opens the accessor; every other view passes `*door()` on.
ACCESSOR_FILE = "common.py"


def _forbidden(module: str) -> bool:
    return any(module == f or module.startswith(f + ".") for f in FORBIDDEN)


def _is_db_session(node: ast.AST) -> bool:
    """`db.session` or `db.session()`."""
    if isinstance(node, ast.Call):
        node = node.func
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "session"
        and isinstance(node.value, ast.Name)
        and node.value.id == "db"
    )


def _is_door_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "door"


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _violations(source: str, accessor: bool = False) -> list[str]:
    tree = ast.parse(source)
    parents = _parents(tree)
    found = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.ImportFrom) and node.module:
            if _forbidden(node.module):
                found.append(f"line {line}: imports {node.module}")
            elif node.module == "casework":
                for alias in node.names:
                    if alias.name in FORBIDDEN_NAMES:
                        found.append(f"line {line}: imports casework.{alias.name}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _forbidden(alias.name):
                    found.append(f"line {line}: imports {alias.name}")
        elif _is_db_session(node) and isinstance(node, ast.Attribute) and not accessor:
            call = parents.get(node)
            holder = parents.get(call) if isinstance(call, ast.Call) else None
            # Only `f(..., db.session(), ...)`: the session passed straight on.
            if not (isinstance(call, ast.Call) and isinstance(holder, ast.Call)) or (
                call not in holder.args
            ):
                found.append(f"line {line}: uses the database session itself")
        elif _is_door_call(node) and not isinstance(parents.get(node), ast.Starred):
            found.append(f"line {line}: door() used other than as *door()")
    return found


@pytest.mark.parametrize("path", VIEW_FILES + FORM_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_views_and_forms_do_not_touch_models_crypto_or_the_session(path: Path) -> None:
    accessor = path.name == ACCESSOR_FILE and path.parent.name == "views"
    assert _violations(path.read_text(), accessor=accessor) == []


@pytest.mark.parametrize(
    "source",
    [
        "from casework.models import Case\n",
        "from casework.models.case import Child\n",
        "from casework import models\n",
        "from casework import crypto\n",
        "import casework.models\n",
        "import casework.crypto.fields\n",
        "from casework.keys import rotation\n",
        "import sqlalchemy\n",
        "from sqlalchemy import select\n",
        "db.session().scalars(q)\n",
        "db.session().get(Case, 1)\n",
        "s = db.session()\ns.execute(q)\n",
        "s = db.session\ns().execute(q)\n",
        "with db.session() as s:\n    pass\n",
        "session, who = door()\nsession.execute(q)\n",
        "door()[0].commit()\n",
    ],
)
def test_the_check_catches_direct_access(source: str) -> None:
    assert _violations(source) != []


@pytest.mark.parametrize(
    "source",
    [
        "casefile.read_case(*door(), case_id)\n",
        "accounts.load_user(db.session(), user_id)\n",
        "from casework import casefile, db\n",
    ],
)
def test_the_check_lets_the_door_be_used(source: str) -> None:
    assert _violations(source) == []


def test_views_exist() -> None:
    assert len(VIEW_FILES) >= 4 and len(FORM_FILES) >= 4
