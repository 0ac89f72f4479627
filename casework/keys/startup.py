"""Wiring the keys into the app: check them against the database when the app is
created, or, on a database not migrated yet, at the first request after migration.

`casework db upgrade` must work on an empty database, so a missing schema is not an
error at start-up; until the keys are verified, every request is answered 503.
"""

from __future__ import annotations

import logging

from flask import Flask, current_app
from flask_babel import gettext as _
from markupsafe import escape
from sqlalchemy import inspect
from sqlalchemy.orm import Session

from casework.crypto.kek import LocalKek
from casework.crypto.keyring import EXTENSION_KEY
from casework.db import database
from casework.keys.keycheck import Keks, KeyCheckError, load_keyring, verify_against_cases
from casework.keys.statistics import EXTENSION_KEY as STATISTICS_KEY
from casework.keys.statistics import load_statistics_key
from casework.settings import Settings

log = logging.getLogger(__name__)

KEKS_KEY = "casework.keks"


def init_app(app: Flask, settings: Settings) -> None:
    previous = settings.kek_previous
    app.extensions[KEKS_KEY] = Keks(
        current=LocalKek(settings.kek, settings.kek_source),
        previous=LocalKek(previous, settings.kek_previous_source) if previous else None,
    )
    try:
        bound = bind_keys(app)
    except KeyCheckError:
        database(app).dispose()
        raise
    if not bound:
        log.warning("the database is not migrated: run `casework db upgrade`")
    app.before_request(_require_keys)


def bind_keys(app: Flask) -> bool:
    """True once the keys are verified and loaded; False while the schema is missing.

    Raises KeyCheckError when the configured keys do not fit the database."""
    if EXTENSION_KEY in app.extensions:
        return True
    keks: Keks = app.extensions[KEKS_KEY]
    engine = database(app).engine
    tables = set(inspect(engine).get_table_names())
    with Session(engine, expire_on_commit=False) as session:
        if "kek_version" not in tables:
            if "case_file" in tables:  # migrated only partly: check what can be checked
                verify_against_cases(session, keks.current)
            return False
        keyring = load_keyring(session, keks)
        app.extensions[STATISTICS_KEY] = load_statistics_key(session, keyring)
        app.extensions[EXTENSION_KEY] = keyring
    return True


def _require_keys() -> tuple[str, int] | None:
    try:
        if bind_keys(current_app._get_current_object()):  # type: ignore[attr-defined]
            return None
        log.error("refusing requests: the database is not migrated (`casework db upgrade`)")
    except KeyCheckError as exc:
        log.critical("refusing requests: %s", exc)
    title = escape(_("Casework is not available"))
    message = escape(_("Casework is being set up or maintained. Please try again later."))
    page = f'<!doctype html><html lang="en"><title>{title}</title><h1>{title}</h1><p>{message}</p>'
    return page + "</html>", 503
