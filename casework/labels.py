"""Translatable labels for coded values shown on pages."""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

STATUS = {
    "identified": _l("Identified"),
    "open": _l("Open"),
    "active": _l("Active"),
    "closed": _l("Closed"),
    "reopened": _l("Reopened"),
    "erased": _l("Erased"),
}
TEAM_ROLE = {"lead": _l("Lead"), "member": _l("Member")}
SEX = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other"), "unknown": _l("Not known")}


def _label(table: dict[str, object]) -> object:
    def label(code: str | None) -> object:
        return table.get(code or "", code or "")

    return label


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        status_label=_label(STATUS),
        team_role_label=_label(TEAM_ROLE),
        sex_label=_label(SEX),
        get_locale=get_locale,
    )
