"""How recorded values read on a page: field names and coded values in the reader's
language. Registered as template globals by the record blueprint."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from casework.codes import CodeList, label, labels
from casework.labels import (
    BENEFIT,
    CLEAR_RECORD,
    INFORMED_FORMAT,
    LINK,
    MEASURE_STATUS,
    REFERRAL_STATE,
    RULE,
    STATUS,
    TASK_STATE,
    TEAM_ROLE,
)

FIELD_LABELS = {
    "given_name": _l("Given name"),
    "family_name": _l("Family name"),
    "date_of_birth": _l("Date of birth (as claimed)"),
    "sex": _l("Sex"),
    "aliases": _l("Other names and aliases"),
    "nationalities": _l("Nationalities"),
    "languages": _l("Languages"),
    "identified_on": _l("Date of identification"),
    "jurisdiction": _l("Country"),
    "actor_type": _l("Identified by"),
    "context": _l("Context"),
    "indicators": _l("Indicators observed"),
    "exploitation_types": _l("Forms of exploitation"),
    "ict_facilitated": _l("Facilitated by technology"),
    "recruitment_method": _l("Recruitment"),
    "narrative": _l("What happened"),
    "reference": _l("Investigation reference"),
    "suspects": _l("Suspects"),
    "evidence_notes": _l("Evidence notes"),
    "stage": _l("Stage"),
    "decision_maker": _l("Decided by"),
    "decided_on": _l("Date of the decision"),
    "outcome": _l("Outcome"),
    "assistance_unconditional": _l("Assistance not conditional on cooperation"),
    "status": _l("Status"),
    "method": _l("Method"),
    "assessor": _l("Assessed by"),
    "assessed_on": _l("Date of the assessment"),
    "age_min": _l("Youngest possible age"),
    "age_max": _l("Oldest possible age"),
    "name": _l("Name"),
    "appointing_authority": _l("Appointed by"),
    "appointed_on": _l("Appointed on"),
    "reason": _l("Reason"),
    "ended_on": _l("Ended on"),
    "kind": _l("Kind"),
    "number": _l("Number"),
    "issuing_country": _l("Issued by"),
    "expires_on": _l("Valid until"),
    "check": _l("Is it genuine?"),
    "address": _l("Address"),
    "since": _l("Since"),
    "care_situation": _l("Care situation"),
    "residence_status": _l("Residence status"),
    "origin_countries": _l("Countries of origin"),
    "transit_countries": _l("Countries of transit"),
    "reflection_country": _l("Country granting the period"),
    "reflection_start": _l("Reflection period starts"),
    "reflection_end": _l("Reflection period ends"),
    "case_status": _l("Case status"),
    "merged_case": _l("Merged case"),
    "flag_kind": _l("Flag"),
    "text": _l("Description"),
    "resolution": _l("How it was resolved"),
    "member": _l("Member"),
    "role_in_team": _l("Role in the team"),
    "profession": _l("Profession"),
    "starts_on": _l("Starts"),
    "ends_on": _l("Ends"),
    "measure_type": _l("Type of measure"),
    "provider": _l("Provider"),
    "review_on": _l("Next review"),
    "details": _l("Details"),
    "clinical_notes": _l("Clinical notes"),
    "heard_on": _l("Date the child was heard"),
    "language": _l("Language used"),
    "informed_format": _l("How the child was informed"),
    "views": _l("The child's views"),
    "perceives_benefit": _l("Sees a benefit from the exploiter"),
    "engagement": _l("Engagement approach"),
    "trusted_adult": _l("Trusted adult"),
    "responses": _l("Answers on the measures"),
    "to_organisation": _l("Referred to"),
    "consent": _l("Consent"),
    "referral_state": _l("Decision on the referral"),
    "decision_reason": _l("Reason for the decision"),
    "offence": _l("Alleged offence"),
    "link": _l("Direct consequence of the exploitation?"),
    "rationale": _l("Rationale"),
    "departure_reasons": _l("Reasons for departing from the assessment"),
    "override_reason": _l("Why the decision could not wait for the assessment"),
    "decided_without_assessment": _l("Decided without a completed assessment"),
    "clear_record": _l("Request to clear a criminal record"),
    "correction_reason": _l("What is corrected, and why"),
    "title": _l("Task"),
    "assignee": _l("Who does it"),
    "due_on": _l("Due on"),
    "notes": _l("Notes"),
    "state": _l("State"),
    "cancel_reason": _l("Why the task is cancelled"),
    "rule": _l("Created by the rule"),
    "last_seen_at": _l("Last seen"),
    "last_seen_where": _l("Where last seen"),
    "circumstances": _l("Circumstances"),
    "police_informed_at": _l("Police informed"),
    "police_reference": _l("Police report reference"),
    "found_at": _l("Found"),
    "found_where": _l("Where found"),
    "found_by": _l("Found by"),
}

# Fields whose name differs by the group they belong to.
GROUP_FIELD_NAMES: dict[tuple[str, str], Any] = {
    ("team", "actor_type"): _l("Actor type"),
}

# Fields whose codes differ by the group they belong to: a coded list, or the program's
# own values.
GROUP_FIELD_CODES: dict[tuple[str, str], CodeList] = {
    ("non_punishment", "stage"): CodeList.NON_PUNISHMENT_STAGE,
    ("non_punishment", "outcome"): CodeList.NON_PUNISHMENT_OUTCOME,
    ("team", "actor_type"): CodeList.ACTOR_TYPE,
    ("team", "profession"): CodeList.ACTOR_TYPE,
}
GROUP_FIELD_LABELS: dict[tuple[str, str], dict[str, Any]] = {
    ("support_plan", "status"): MEASURE_STATUS,
    ("tasks", "state"): TASK_STATE,
    ("tasks", "rule"): RULE,
}
VALUE_LABELS: dict[str, dict[str, Any]] = {
    "role_in_team": TEAM_ROLE,
    "informed_format": INFORMED_FORMAT,
    "perceives_benefit": BENEFIT,
    "referral_state": REFERRAL_STATE,
    "link": LINK,
    "clear_record": CLEAR_RECORD,
}

FIELD_CODES = {
    "sex": CodeList.SEX,
    "jurisdiction": CodeList.COUNTRY,
    "actor_type": CodeList.IDENTIFYING_ACTOR,
    "context": CodeList.IDENTIFICATION_CONTEXT,
    "indicators": CodeList.INDICATOR,
    "exploitation_types": CodeList.EXPLOITATION_TYPE,
    "recruitment_method": CodeList.RECRUITMENT_METHOD,
    "stage": CodeList.DECISION_STAGE,
    "outcome": CodeList.DECISION_OUTCOME,
    "method": CodeList.AGE_METHOD,
    "nationalities": CodeList.COUNTRY,
    "languages": CodeList.LANGUAGE,
    "issuing_country": CodeList.COUNTRY,
    "check": CodeList.DOCUMENT_CHECK,
    "care_situation": CodeList.CARE_SITUATION,
    "residence_status": CodeList.RESIDENCE_STATUS,
    "origin_countries": CodeList.COUNTRY,
    "transit_countries": CodeList.COUNTRY,
    "reflection_country": CodeList.COUNTRY,
    "measure_type": CodeList.MEASURE_TYPE,
    "consent": CodeList.CONSENT,
    "offence": CodeList.OFFENCE,
}

GROUP_LABELS = {
    "identity": _l("The child"),
    "identification": _l("Identification"),
    "investigation": _l("Investigation"),
    "migration": _l("Migration status"),
    "location": _l("Placement"),
    "health": _l("Clinical notes"),
    "support_plan": _l("Support plan"),
    "child_views": _l("The child's views"),
    "non_punishment": _l("Non-punishment"),
    "flags": _l("Flags"),
    "status": _l("Case status"),
    "team": _l("Support team"),
    "referrals": _l("Referrals"),
    "tasks": _l("Tasks"),
    "missing": _l("Missing episodes"),
}

CHANGE_LABELS = {
    "create": _l("recorded"),
    "update": _l("changed"),
    "remove": _l("removed"),
    "flag": _l("raised"),
    "resolve": _l("resolved"),
    "status": _l("changed"),
    "merge": _l("merged from another case"),
    "decide": _l("decided"),
    "correct": _l("corrected by a new entry"),
    "done": _l("done"),
    "cancel": _l("cancelled"),
    "found": _l("ended: the child was found"),
}

# Keys of the history that say what kind of record changed, not a value of it.
HIDDEN_KEYS = frozenset({"record"})


def field_label(name: str, group: str = "") -> str:
    return str(GROUP_FIELD_NAMES.get((group, name)) or FIELD_LABELS.get(name, name))


def group_label(name: str) -> str:
    return str(GROUP_LABELS.get(name, name))


def change_label(name: str) -> str:
    return str(CHANGE_LABELS.get(name, name))


def _responses(value: Any) -> str:
    """The child's answers per measure: "Health: declines (reasons)"."""
    parts = []
    for measure_type, acceptance, reasons in value:
        answer = label(CodeList.ACCEPTANCE, acceptance)
        part = f"{label(CodeList.MEASURE_TYPE, measure_type)}: {answer}"
        parts.append(f"{part} ({reasons})" if reasons else part)
    return "; ".join(parts)


def shown_value(field: str, value: Any, group: str = "") -> str:
    """A stored value as the page shows it: labels for codes, "—" for no answer."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if field == "case_status":
        return str(STATUS.get(str(value), value))
    if field == "flag_kind":
        return labels(CodeList.FLAG_KIND, [str(value)])
    if field == "responses" and isinstance(value, list):
        return _responses(value)
    table = GROUP_FIELD_LABELS.get((group, field))
    code_list = GROUP_FIELD_CODES.get((group, field))
    if table is None and code_list is None:
        table = VALUE_LABELS.get(field)
        code_list = FIELD_CODES.get(field)
    if table is not None:
        return str(table.get(str(value), value))
    if code_list is not None:
        values: Iterable[str] = value if isinstance(value, list | tuple) else [str(value)]
        return labels(code_list, values)
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def history_pairs(previous: Iterable[tuple[str, Any]] | None) -> list[tuple[str, str]]:
    if previous is None:
        return []
    return [
        (field_label(name), shown_value(name, value))
        for name, value in previous
        if name not in HIDDEN_KEYS
    ]


def history_rows(entry: Any) -> list[tuple[str, str | None, str | None]]:
    """(field, before, after) for one history entry the reader may read in full; before
    is None for a value that is new, after is None for entries written before the
    values after were kept. Unchanged values are left out of a change."""
    before = dict(entry.previous or ())
    after = dict(entry.current) if entry.current is not None else None
    names = list(before) + [n for n in (after or {}) if n not in before]
    rows: list[tuple[str, str | None, str | None]] = []
    for name in names:
        if name in HIDDEN_KEYS:
            continue
        old = shown_value(name, before[name], entry.group) if name in before else None
        new = (
            shown_value(name, after[name], entry.group)
            if after is not None and name in after
            else None
        )
        if old is not None and new is not None and old == new and entry.change == "update":
            continue
        rows.append((field_label(name, entry.group), old, new))
    return rows


TEMPLATE_GLOBALS: dict[str, Callable[..., Any]] = {
    "field_label": field_label,
    "group_label": group_label,
    "change_label": change_label,
    "shown_value": shown_value,
    "history_pairs": history_pairs,
    "history_rows": history_rows,
}
