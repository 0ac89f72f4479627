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
}
TEAM_ROLE = {"lead": _l("Lead"), "member": _l("Member")}
ROLE = {
    "social_worker": _l("Social worker"),
    "police": _l("Police"),
    "prosecutor": _l("Prosecutor"),
    "ngo_worker": _l("NGO worker"),
    "coordinator": _l("Coordinator"),
    "auditor": _l("Auditor"),
    "admin": _l("Administrator"),
}
ACCESS = {
    "lead": _l("Team lead"),
    "member": _l("Team member"),
    "breakglass": _l("Emergency access (read-only)"),
}
ACTOR_TYPE = {
    "social_services": _l("Social services"),
    "police": _l("Police"),
    "prosecutor": _l("Prosecutor"),
    "health": _l("Health"),
    "child_psychiatry": _l("Child psychiatry"),
    "education": _l("Education"),
    "ngo": _l("NGO"),
    "guardian": _l("Guardian"),
    "interpreter": _l("Interpreter"),
    "legal_counsel": _l("Legal counsel"),
    "migration_authority": _l("Migration authority"),
    "barnahus": _l("Barnahus"),
}
NEEDS = {
    "no_lead": _l("No team lead"),
    "single_agency": _l("Only one agency on the team"),
    "missing:social_services": _l("No social services on the team"),
}
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
        access_label=_label(ACCESS),
        role_label=_label(ROLE),
        actor_type_label=_label(ACTOR_TYPE),
        need_label=_label(NEEDS),
        get_locale=get_locale,
    )
