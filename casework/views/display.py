"""How recorded values read on a page: field names and coded values in the reader's
language. Registered as template globals by the record blueprint."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from casework.codes import CodeList, labels
from casework.labels import STATUS

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
}

FIELD_CODES = {
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
}

GROUP_LABELS = {
    "identity": _l("The child"),
    "identification": _l("Identification"),
    "investigation": _l("Investigation"),
    "migration": _l("Migration status"),
    "location": _l("Placement"),
    "flags": _l("Flags"),
    "status": _l("Case status"),
}

CHANGE_LABELS = {
    "create": _l("recorded"),
    "update": _l("changed"),
    "remove": _l("removed"),
    "flag": _l("raised"),
    "resolve": _l("resolved"),
    "status": _l("changed"),
    "merge": _l("merged from another case"),
}

# Keys of the history that say what kind of record changed, not a value of it.
HIDDEN_KEYS = frozenset({"record"})


def field_label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def group_label(name: str) -> str:
    return str(GROUP_LABELS.get(name, name))


def change_label(name: str) -> str:
    return str(CHANGE_LABELS.get(name, name))


def shown_value(field: str, value: Any) -> str:
    """A stored value as the page shows it: labels for codes, "—" for no answer."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if field == "case_status":
        return str(STATUS.get(str(value), value))
    code_list = FIELD_CODES.get(field)
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


TEMPLATE_GLOBALS: dict[str, Callable[..., Any]] = {
    "field_label": field_label,
    "group_label": group_label,
    "change_label": change_label,
    "shown_value": shown_value,
    "history_pairs": history_pairs,
}
