"""Translatable labels for coded values shown on pages."""

from __future__ import annotations

from flask import Flask
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

from casework.access.policy import current_policy
from casework.casefile.today.notify import KINDS

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
CONSENT = {
    "child_and_guardian": _l("The child and the guardian"),
    "guardian": _l("The guardian"),
    "child": _l("The child"),
}
MEASURE_TYPE = {
    "accommodation": _l("Accommodation"),
    "health": _l("Health care"),
    "psychological": _l("Psychological support"),
    "education": _l("Education"),
    "legal": _l("Legal assistance"),
    "interpretation": _l("Interpretation"),
    "family_tracing": _l("Family tracing"),
    "durable_solution": _l("Durable solution"),
}
MEASURE_STATUS = {
    "planned": _l("Planned"),
    "active": _l("Active"),
    "completed": _l("Completed"),
    "stopped": _l("Stopped"),
}
ACCEPTANCE = {
    "accepts": _l("Accepts"),
    "declines": _l("Declines"),
    "ambivalent": _l("Ambivalent"),
}
INFORMED_FORMAT = {
    "conversation": _l("In conversation"),
    "interpreter": _l("Through an interpreter"),
    "easy_read": _l("Easy-read material"),
    "pictures": _l("Pictures or drawings"),
    "written": _l("Written information"),
}
BENEFIT = {"yes": _l("Yes"), "no": _l("No"), "unsure": _l("Not sure")}
OFFENCE = {
    "drugs": _l("Drugs"),
    "theft": _l("Theft"),
    "immigration": _l("Immigration or documents"),
    "begging": _l("Begging"),
    "fraud": _l("Fraud"),
    "violence": _l("Violence"),
    "other": _l("Other"),
}
STAGE = {
    "arrest": _l("Arrest"),
    "charge": _l("Charge"),
    "prosecution": _l("Prosecution"),
    "trial": _l("Trial"),
    "sentence": _l("Sentence"),
    "record": _l("Criminal record"),
}
LINK = {"yes": _l("Yes"), "no": _l("No"), "unclear": _l("Unclear")}
OUTCOME = {
    "not_prosecuted": _l("Not prosecuted"),
    "discontinued": _l("Discontinued"),
    "acquitted": _l("Acquitted"),
    "no_penalty": _l("No penalty"),
    "prosecuted": _l("Prosecuted"),
}
CLEAR_RECORD = {
    "requested": _l("Requested"),
    "not_requested": _l("Not requested"),
}
SEX = {"female": _l("Female"), "male": _l("Male"), "other": _l("Other"), "unknown": _l("Not known")}


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
        return str(label) % {"profession": ACTOR_TYPE.get(code, code)}
    return str(label) % {
        "role": role_label(str(getattr(row, "role", ""))),
        "organisation": getattr(row, "organisation", ""),
    }


def profession_choices() -> list[tuple[str, str]]:
    """No profession, or one of the actor types, by label."""
    return [("", str(_l("None recorded")))] + [(k, str(v)) for k, v in ACTOR_TYPE.items()]


def _notification_label(kind: str) -> object:
    found = KINDS.get(kind)
    return found.label if found is not None else kind


def init_app(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(
        status_label=_label(STATUS),
        team_role_label=_label(TEAM_ROLE),
        sex_label=_label(SEX),
        access_label=_label(ACCESS),
        role_label=role_label,
        approval_label=approval_label,
        actor_type_label=_label(ACTOR_TYPE),
        need_label=_label(NEEDS),
        rule_label=_label(RULE),
        task_state_label=_label(TASK_STATE),
        notification_label=_notification_label,
        referral_state_label=_label(REFERRAL_STATE),
        consent_label=_label(CONSENT),
        measure_type_label=_label(MEASURE_TYPE),
        measure_status_label=_label(MEASURE_STATUS),
        acceptance_label=_label(ACCEPTANCE),
        informed_format_label=_label(INFORMED_FORMAT),
        benefit_label=_label(BENEFIT),
        offence_label=_label(OFFENCE),
        stage_label=_label(STAGE),
        link_label=_label(LINK),
        outcome_label=_label(OUTCOME),
        clear_record_label=_label(CLEAR_RECORD),
        get_locale=get_locale,
    )
