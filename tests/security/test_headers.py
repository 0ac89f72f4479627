from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import login
from tests.factories import make_user


def _pages(app: Flask) -> list[str]:
    """Every GET route of the URL map, with sample values for its parameters."""
    samples = {
        "<path:filename>": "css/casework.css",
        "<token>": "no-such-link",
        "<fmt>": "csv",
    }
    paths = ["/no-such-page"]
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or set()):
            path = re.sub(r"<uuid:\w+>", "00000000-0000-4000-8000-000000000000", rule.rule)
            for placeholder, value in samples.items():
                path = path.replace(placeholder, value)
            assert "<" not in path, f"no sample value for {rule.rule}"
            paths.append(path)
    return paths


@pytest.mark.parametrize("role", ["social_worker", "admin", None])
def test_security_headers_on_every_page(
    app: Flask, client: FlaskClient, db_session: Session, role: str | None
) -> None:
    if role:
        make_user(username="someone", role=role)
        login(client, "someone")
    for path in _pages(app):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp, path
        assert "frame-ancestors 'none'" in csp, path
        assert "unsafe-inline" not in csp, path
        assert response.headers["Referrer-Policy"] == "same-origin", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        if not path.startswith("/static/"):
            assert response.headers["Cache-Control"] == "no-store", path


def test_hsts_only_over_https(client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/login").headers
    secure = client.get("/login", base_url="https://casework.example")
    assert "max-age=" in secure.headers["Strict-Transport-Security"]


def test_templates_have_no_inline_script_or_style() -> None:
    from casework.settings import PROJECT_ROOT

    for path in (PROJECT_ROOT / "templates").rglob("*.html"):
        html = path.read_text()
        scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, re.S)
        assert html.count("<script") == len(scripts), path
        for attributes, body in scripts:
            assert "src=" in attributes and body.strip() == "", path
        assert re.search(r"<[^>]+\son[a-z]+\s*=", html) is None, path  # no onclick= ...
        assert "<style" not in html and " style=" not in html, path
        assert "http://" not in html and "https://" not in html, path


def test_static_assets_are_self_hosted() -> None:
    from casework.settings import PROJECT_ROOT

    for path in (PROJECT_ROOT / "static").rglob("*.css"):
        css = path.read_text()
        assert "@import" not in css and "url(http" not in css, path
