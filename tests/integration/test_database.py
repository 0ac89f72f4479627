from __future__ import annotations

import os

from flask import Flask

from casework.db import database


def test_suite_runs_on_the_database_it_was_asked_for(app: Flask) -> None:
    dialect = database(app).engine.dialect.name
    expected = "postgresql" if os.environ.get("CASEWORK_TEST_DATABASE_URL") else "sqlite"
    assert dialect == expected
