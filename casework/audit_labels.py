"""Translatable labels for the audit log's coded values (actions, outcomes, damage)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import lazy_gettext as _l

from casework.audit.events import Action, Outcome
from casework.audit.verify import DamageKind

ACTION: dict[str, Any] = {
    Action.CASE_CREATE: _l("Case opened"),
    Action.CASE_READ: _l("Case read"),
    Action.CASE_LIST: _l("Case list viewed"),
    Action.CASE_UPDATE: _l("Case changed"),
    Action.CASE_ERASE: _l("Case erased"),
    Action.SEARCH: _l("Search"),
    Action.EXPORT: _l("Export"),
    Action.ACCESS_DENIED: _l("Access denied"),
    Action.BREAKGLASS_OPEN: _l("Break-glass access"),
    Action.BREAKGLASS_REVIEW: _l("Break-glass use reviewed"),
    Action.TEAM_CHANGE: _l("Support team changed"),
    Action.REFERRAL_CREATE: _l("Referral sent"),
    Action.REFERRAL_DECIDE: _l("Referral decided"),
    Action.NONPUNISHMENT_OVERRIDE: _l("Prosecution decision without an assessment"),
    Action.LOGIN_SUCCESS: _l("Signed in"),
    Action.LOGIN_FAILURE: _l("Sign-in failed"),
    Action.LOGOUT: _l("Signed out"),
    Action.LOGIN_LOCKOUT: _l("Sign-in locked"),
    Action.REAUTH: _l("Signed in again for a sensitive action"),
    Action.SESSION_END: _l("Session ended"),
    Action.SECOND_FACTOR_CHANGE: _l("Second factor changed"),
    Action.ENROLMENT_ISSUE: _l("Enrolment link issued"),
    Action.USER_CREATE: _l("User created"),
    Action.USER_UPDATE: _l("User changed"),
    Action.USER_PREFERENCES: _l("Language or time zone changed"),
    Action.KEY_ROTATE: _l("Key rotated"),
    Action.AUDIT_READ: _l("Audit log reviewed"),
    Action.AUDIT_VERIFY: _l("Audit log verified"),
    Action.AUDIT_CHECKPOINT: _l("Audit log signed"),
    Action.CASE_STATUS: _l("Case status changed"),
    Action.FLAG_RAISE: _l("Flag raised"),
    Action.FLAG_RESOLVE: _l("Flag resolved"),
    Action.TASK_CREATE: _l("Task added"),
    Action.TASK_UPDATE: _l("Task changed"),
    Action.MISSING_REPORT: _l("Child recorded missing"),
    Action.MISSING_UPDATE: _l("Missing episode changed"),
    Action.MISSING_FOUND: _l("Child recorded found"),
    Action.REMINDERS_RUN: _l("Reminder rules run"),
    Action.STATS_READ: _l("Statistics viewed"),
    Action.DUPLICATE_CHECK: _l("Checked for the same child in other cases"),
    Action.DUPLICATE_DECIDE: _l("Possible same child dismissed"),
    Action.CASE_LINK: _l("Cases linked"),
    Action.MERGE_AGREE: _l("Agreed to merge cases"),
    Action.CASE_MERGE: _l("Cases merged"),
    Action.APPROVAL_REQUEST: _l("Approval asked for"),
    Action.APPROVAL_DECIDE: _l("Approval decided"),
    Action.APPROVAL_REFUSE: _l("Approval refused or withdrawn"),
}
OUTCOME: dict[str, Any] = {
    Outcome.ALLOWED: _l("Allowed"),
    Outcome.DENIED: _l("Denied"),
    Outcome.FAILED: _l("Failed"),
}
DAMAGE: dict[str, Any] = {
    DamageKind.MISSING: _l("an event is missing"),
    DamageKind.MOVED: _l("events were reordered or renumbered"),
    DamageKind.ALTERED: _l("an event was changed"),
    DamageKind.BROKEN_LINK: _l("an event does not link to the one before"),
    DamageKind.REWRITTEN: _l("events were rewritten and their hashes recomputed"),
    DamageKind.TRUNCATED: _l("the newest events were cut off"),
    DamageKind.BAD_SIGNATURE: _l("a checkpoint is not signed by this installation"),
    DamageKind.UNSIGNED: _l("no signed checkpoint vouches for the log"),
}


def _lookup(table: dict[str, Any]) -> object:
    def label(code: str | None) -> object:
        return table.get(code or "", code or "")

    return label


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(
        action_label=_lookup(ACTION),
        # An audit event's outcome, named apart from the coded lists' outcomes.
        event_outcome_label=_lookup(OUTCOME),
        damage_label=_lookup(DAMAGE),
    )
