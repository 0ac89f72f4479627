"""Translatable labels for the program's own values shown on pages (statuses, states,
roles in a team, answers the code decides on). The coded lists of config/codes.toml have
their labels there: pages show them through `code_label` (casework/codes/)."""

from __future__ import annotations

from functools import partial

from flask import Flask
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from casework.access.policy import current_policy
from casework.casefile.today.notify import KINDS
from casework.codes import CodeList, choices
from casework.codes import label as code_label

STATUS = {
    "identified": _l("Identified"),
    "open": _l("Open"),
    "active": _l("Active"),
    "closed": _l("Closed"),
    "reopened": _l("Reopened"),
    "erased": _l("Erased"),
    "merged": _l("Merged into another case"),
}
TEAM_ROLE = {"lead": _l("Lead"), "member": _l("Member")}
ACCESS = {
    "lead": _l("Team lead"),
    "member": _l("Team member"),
    "breakglass": _l("Emergency access (read-only)"),
}
NEEDS = {
    "no_lead": _l("No team lead"),
    "single_agency": _l("Only one agency on the team"),
    "missing:social_services": _l("No social services on the team"),
    "missing:health": _l("No health professional for a health measure"),
    "missing:child_psychiatry": _l("No child psychiatry for a psychological measure"),
    "missing:education": _l("No education professional for an education measure"),
    "missing:legal_counsel": _l("No legal counsel for a legal measure"),
    "missing:interpreter": _l("No interpreter for an interpretation measure"),
    "review_overdue": _l("A support measure's review is overdue"),
    "no_guardian": _l("No guardian for an unaccompanied or separated child"),
    "new": _l("New to you"),
    "reoffer_due": _l("Re-offer due"),
    "missing": _l("Child missing"),
}
# What the reminder rules (config/reminders.toml) and the return interview stand for:
# a task's title when a rule made it, a mark's text.
RULE = {
    "reflection_period_ends": _l("The reflection period ends"),
    "support_plan_review": _l("A support measure is due for review"),
    "reoffer_due": _l("Offer declined help again"),
    "guardian_appointment_ends": _l("The guardian's appointment ends"),
    "turns_18": _l("The child turns 18: plan the move to adult services"),
    "referral_waiting": _l("A referral is waiting for a decision"),
    "no_lead": _l("An identified case has no lead"),
    "return_interview": _l("Return interview after the child was found"),
}
TASK_STATE = {"open": _l("Open"), "done": _l("Done"), "cancelled": _l("Cancelled")}
REFERRAL_STATE = {
    "pending": _l("Waiting for a decision"),
    "accepted": _l("Accepted"),
    "declined": _l("Declined"),
    "withdrawn": _l("Withdrawn"),
}
MEASURE_STATUS = {
    "planned": _l("Planned"),
    "active": _l("Active"),
    "completed": _l("Completed"),
    "stopped": _l("Stopped"),
}
INFORMED_FORMAT = {
    "conversation": _l("In conversation"),
    "interpreter": _l("Through an interpreter"),
    "easy_read": _l("Easy-read material"),
    "pictures": _l("Pictures or drawings"),
    "written": _l("Written information"),
}
BENEFIT = {"yes": _l("Yes"), "no": _l("No"), "unsure": _l("Not sure")}
LINK = {"yes": _l("Yes"), "no": _l("No"), "unclear": _l("Unclear")}
CLEAR_RECORD = {
    "requested": _l("Requested"),
    "not_requested": _l("Not requested"),
}


def _label(table: dict[str, object]) -> object:
    def label(code: str | None) -> object:
        return table.get(code or "", code or "")

    return label


def role_label(code: str | None) -> str:
    """A role's label from the access policy, in the reader's language (the policy's
    labels are message ids; casework/codes/extract.py collects them)."""
    if not code:
        return ""
    return str(gettext(current_policy().label(code)))


APPROVAL_KIND = {
    "new_account": _l("New account: %(role)s, %(organisation)s"),
    "role_change": _l("Change of role to %(role)s, %(organisation)s"),
    "factor_reset": _l("Reset of an administrator's second factor"),
    "activation": _l("Switch an administrator's account on"),
    "deactivation": _l("Switch an administrator's account off"),
    "profession": _l("Profession %(profession)s, which opens clinical notes"),
}


def approval_label(row: object) -> str:
    """What a pending approval asks for, in the reader's language."""
    kind = str(getattr(row, "kind", ""))
    if kind == "activation" and getattr(row, "active", None) is False:
        kind = "deactivation"
    label = APPROVAL_KIND.get(kind)
    if label is None:
        return kind
    if kind == "profession":
        code = str(getattr(row, "role", ""))
        return str(label) % {"profession": code_label(CodeList.ACTOR_TYPE, code)}
    return str(label) % {
        "role": role_label(str(getattr(row, "role", ""))),
        "organisation": getattr(row, "organisation", ""),
    }


def profession_choices() -> list[tuple[str, str]]:
    """No profession, or one of the actor types config/codes.toml offers, by label."""
    return [("", str(_l("None recorded"))), *choices(CodeList.ACTOR_TYPE)]


def _notification_label(kind: str) -> object:
    found = KINDS.get(kind)
    return found.label if found is not None else kind


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        status_label=_label(STATUS),
        team_role_label=_label(TEAM_ROLE),
        sex_label=partial(code_label, CodeList.SEX),
        access_label=_label(ACCESS),
        role_label=role_label,
        approval_label=approval_label,
        need_label=_label(NEEDS),
        rule_label=_label(RULE),
        task_state_label=_label(TASK_STATE),
        notification_label=_notification_label,
        referral_state_label=_label(REFERRAL_STATE),
        measure_status_label=_label(MEASURE_STATUS),
        informed_format_label=_label(INFORMED_FORMAT),
        benefit_label=_label(BENEFIT),
        link_label=_label(LINK),
        clear_record_label=_label(CLEAR_RECORD),
        get_locale=get_locale,
    )
