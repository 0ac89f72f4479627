"""`casework serve`: the production server, gunicorn, configured from the settings.

The command has already built the application once (settings, access policy, key
check against the database), so a server that cannot start says why before any worker
runs. Each worker then builds its own application after the fork, with its own
database connections, and counts the statistical records in the background
(`warm_statistics`), so that the first statistics page after a restart does not.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import ScriptInfo, with_appcontext
from gunicorn.app.base import BaseApplication

from casework import db
from casework.casefile import warm_statistics
from casework.db import database
from casework.logs import JsonFormatter, TextFormatter
from casework.settings import Settings


class Server(BaseApplication):  # type: ignore[misc]
    """gunicorn with its options from here, not from its own command line or files."""

    def __init__(self, factory: Callable[[], Flask], options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        app = self.factory()
        threading.Thread(
            target=warm_in_background, args=(app,), name="statistics-warm-up", daemon=True
        ).start()
        return app


def warm_in_background(app: Flask) -> None:
    """Count the statistical records for this worker; a failure is logged, not raised:
    the first statistics page then counts them itself."""
    try:
        with app.app_context():
            warm_statistics(db.session())
    except Exception:
        logging.getLogger(__name__).exception("counting the statistical records failed")


def gunicorn_options(settings: Settings, bind: str | None = None) -> dict[str, Any]:
    """The server's options: bind, workers and timeouts from the settings; logs in the
    configured format; no access log of gunicorn's own (Casework writes one line per
    request itself, without paths or query strings)."""
    formatter = "json" if settings.log_format == "json" else "text"
    return {
        "bind": [bind or settings.serve_bind],
        "workers": settings.serve_workers,
        "worker_class": "sync",
        "timeout": settings.serve_timeout,
        "graceful_timeout": settings.serve_graceful_timeout,
        "keepalive": 5,
        # Requests and headers a browser never needs larger (Flask caps bodies at 1 MiB).
        "limit_request_line": 8190,
        "limit_request_fields": 100,
        "accesslog": None,
        "proc_name": "casework",
        # Only the trusted proxies' X-Forwarded-* count, and Casework decides that itself
        # (PROXY_HOPS); gunicorn passes the headers on untouched.
        "forwarded_allow_ips": "",
        "logconfig_dict": {
            "version": 1,
            "disable_existing_loggers": False,
            "formatters": {
                "json": {"()": JsonFormatter},
                "text": {"()": TextFormatter},
            },
            "handlers": {
                "stderr": {
                    "class": "logging.StreamHandler",
                    "formatter": formatter,
                    "stream": "ext://sys.stderr",
                }
            },
            "root": {"level": "INFO", "handlers": ["stderr"]},
            "loggers": {
                "gunicorn.error": {"level": "INFO", "handlers": [], "propagate": True},
                # gunicorn's access lines carry the path and query string: never written.
                "gunicorn.access": {"level": "CRITICAL", "handlers": [], "propagate": False},
            },
        },
    }


@click.command("serve", help="Run the production server (gunicorn) with the settings' workers.")
@click.option("--bind", help="host:port or unix:/path; default SERVE_BIND.")
@with_appcontext
def serve_command(bind: str | None) -> None:
    settings: Settings = current_app.config["CASEWORK"]
    # The check above used connections of this process; workers open their own.
    database(current_app).dispose()
    logging.getLogger(__name__).info(
        "serving on %s with %d workers", bind or settings.serve_bind, settings.serve_workers
    )
    # The factory the command line built this application with, for each worker.
    factory = click.get_current_context().ensure_object(ScriptInfo).create_app
    if factory is None:  # pragma: no cover - `casework` always names its factory
        raise click.ClickException("no application factory to serve")
    Server(factory, gunicorn_options(settings, bind)).run()
