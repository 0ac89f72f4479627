from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from casework import create_app, db, security
from casework.models import Organisation
from tests.conftest import app_config


def _app_with_failing_route(database_url: str, tmp_path: Path) -> Flask:
    app = create_app(app_config(database_url, tmp_path))

    @app.get("/explode")
    def explode() -> str:
        # Changes data, then fails: the change must not survive.
        db.session().add(Organisation(name="Half-made organisation", kind="ngo", region="x"))
        db.session().flush()
        raise RuntimeError("secret internal detail Petrauskas")

    return app


def test_500_page_shows_no_detail_and_rolls_back(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _app_with_failing_route(database_url, tmp_path)
    # Reach the failing route without signing in: login is not what is tested here.
    monkeypatch.setattr(security, "PUBLIC_ENDPOINTS", security.PUBLIC_ENDPOINTS | {"explode"})
    response = app.test_client().get("/explode")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "Traceback" not in response.text
    assert "secret internal detail" not in response.text
    assert "Petrauskas" not in response.text
    engine = db.database(app).engine
    with engine.connect() as conn:
        count = conn.scalar(
            select(func.count())
            .select_from(Organisation)
            .where(Organisation.name == "Half-made organisation")
        )
    assert count == 0
    db.database(app).dispose()


def test_404_page_is_friendly(app: Flask) -> None:
    response = app.test_client().get("/no/such/page")
    assert response.status_code == 404
    assert "There is no such page" in response.text
    assert '<html lang="en">' in response.text


def test_405_page_is_friendly(app: Flask) -> None:
    response = app.test_client().delete("/login")
    assert response.status_code == 405
    assert "Not allowed here" in response.text


def test_oversized_request_is_refused(app: Flask) -> None:
    response = app.test_client().post("/login", data={"username": "x" * (2 * 1024 * 1024)})
    assert response.status_code == 413
    assert "Too much data" in response.text
