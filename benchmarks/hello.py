"""The bare Flask app the case page is compared with: one route, no database, no
session, served by the same gunicorn command in the same run (benchmarks/page_load.py)."""

from __future__ import annotations

from flask import Flask

GREETING = "Hello from a bare Flask app"

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return GREETING
