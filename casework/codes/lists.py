"""Loading and checking config/codes.toml: the coded lists forms offer and cases store."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from babel import Locale

from casework.codes.named import (
    Acceptance,
    ActorType,
    MeasureType,
    NonPunishmentOutcome,
    named_codes,
)
from casework.settings import ConfigError, line_of


class CodesError(ConfigError):
    """config/codes.toml or config/country_rules.toml is unfit; names file, line, problem."""


class CodeList(StrEnum):
    """Every coded list the code uses. COUNTRY and LANGUAGE come from [iso]."""

    COUNTRY = "country"
    LANGUAGE = "language"
    NATIONALITY_OTHER = "nationality_other"
    IDENTIFYING_ACTOR = "identifying_actor"
    IDENTIFICATION_CONTEXT = "identification_context"
    INDICATOR = "indicator"
    EXPLOITATION_TYPE = "exploitation_type"
    RECRUITMENT_METHOD = "recruitment_method"
    DECISION_STAGE = "decision_stage"
    DECISION_OUTCOME = "decision_outcome"
    AGE_STATUS = "age_status"
    AGE_METHOD = "age_method"
    CARE_SITUATION = "care_situation"
    RESIDENCE_STATUS = "residence_status"
    GUARDIAN_TYPE = "guardian_type"
    GUARDIAN_REASON = "guardian_reason"
    DOCUMENT_TYPE = "document_type"
    DOCUMENT_CHECK = "document_check"
    PLACEMENT_TYPE = "placement_type"
    FLAG_KIND = "flag_kind"
    CLOSING_REASON = "closing_reason"
    REOPENING_REASON = "reopening_reason"
    ACTOR_TYPE = "actor_type"
    MEASURE_TYPE = "measure_type"
    ACCEPTANCE = "acceptance"
    CONSENT = "consent"
    OFFENCE = "offence"
    NON_PUNISHMENT_STAGE = "non_punishment_stage"
    NON_PUNISHMENT_OUTCOME = "non_punishment_outcome"
    AGE_BAND = "age_band"
    MEASURE_OUTCOME = "measure_outcome"
    SEX = "sex"


ISO_LISTS = (CodeList.COUNTRY, CodeList.LANGUAGE)

# Codes with rules of their own in the program (casework/codes/named.py): the file must
# keep them, and offer them (they are never retired).
NAMED_CODES: dict[CodeList, frozenset[str]] = {
    CodeList.ACTOR_TYPE: named_codes(ActorType),
    CodeList.MEASURE_TYPE: named_codes(MeasureType),
    CodeList.ACCEPTANCE: named_codes(Acceptance),
    CodeList.NON_PUNISHMENT_OUTCOME: named_codes(NonPunishmentOutcome),
    # Statistics report every one of them, and a child's record must be able to say any.
    CodeList.SEX: frozenset({"female", "male", "other", "unknown"}),
}

# Codes that rules in the code refer to by name; the file must keep them.
REQUIRED_CODES: dict[CodeList, frozenset[str]] = {
    **NAMED_CODES,
    CodeList.IDENTIFICATION_CONTEXT: frozenset({"arrested_or_suspected"}),
    CodeList.CARE_SITUATION: frozenset({"accompanied", "unaccompanied", "separated"}),
    CodeList.GUARDIAN_TYPE: frozenset({"guardian"}),
    CodeList.AGE_STATUS: frozenset({"claimed", "disputed", "assessed"}),
    CodeList.FLAG_KIND: frozenset({"non_punishment", "guardian_needed", "missing"}),
    CodeList.CLOSING_REASON: frozenset({"other"}),
    CodeList.REOPENING_REASON: frozenset({"other"}),
    # What statistics compute (casework/casefile/statistics/record.py).
    CodeList.AGE_BAND: frozenset({"under_12", "age_12_14", "age_15_17", "adult", "not_yet_known"}),
    CodeList.MEASURE_OUTCOME: frozenset(
        {"accepted_first", "accepted_after_reoffer", "declined", "undecided"}
    ),
    CodeList.EXPLOITATION_TYPE: frozenset({"sexual", "online_sexual"}),
}

CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
LABEL_MAX = 200
# XK (Kosovo) is user-assigned in ISO 3166 but known to CLDR, so it passes the check.
_CLDR = Locale("en")


# Old codes read as another code with the ICT-facilitated modus: online is the modus of
# a form of exploitation, not a form of its own (the code is retired in codes.toml).
ONLINE_AS = {"online_sexual": "sexual"}


@dataclass(frozen=True)
class CodedLists:
    """Code -> English label (the message id) for each list, in the file's order, and
    the retired codes of each list: still read and shown, never offered again."""

    lists: dict[CodeList, dict[str, str]]
    retired: dict[CodeList, frozenset[str]] = field(default_factory=dict)

    def codes(self, name: CodeList) -> tuple[str, ...]:
        """Every code, retired ones too (what records may hold)."""
        return tuple(self.lists[name])

    def offered(self, name: CodeList) -> tuple[str, ...]:
        """The codes a form offers: every code that is not retired."""
        gone = self.retired.get(name, frozenset())
        return tuple(code for code in self.lists[name] if code not in gone)

    def has(self, name: CodeList, code: str) -> bool:
        return code in self.lists[name]

    def is_offered(self, name: CodeList, code: str) -> bool:
        return code in self.lists[name] and code not in self.retired.get(name, frozenset())

    def english(self, name: CodeList, code: str) -> str | None:
        return self.lists[name].get(code)


def _fail(path: Path, text: str, reason: str) -> CodesError:
    line = line_of(text, reason)
    where = f"{path}, line {line}" if line else str(path)
    return CodesError(f"{where}: {reason}")


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
        return tomllib.loads(text), text
    except OSError as exc:
        raise CodesError(f"{path}: cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CodesError(f"{path}: {exc}") from None


def load_lists(path: Path) -> CodedLists:
    data, text = read_toml(path)
    iso = data.get("iso")
    if not isinstance(iso, dict):
        raise _fail(path, text, "[iso] with countries and languages is missing")
    lists = {
        CodeList.COUNTRY: _iso(path, text, iso.get("countries"), "countries", _CLDR.territories),
        CodeList.LANGUAGE: _iso(path, text, iso.get("languages"), "languages", _CLDR.languages),
    }
    tables = data.get("lists")
    if not isinstance(tables, dict):
        raise _fail(path, text, "[lists] is missing")
    for name, body in tables.items():
        if name not in CodeList._value2member_map_ or name in ISO_LISTS:
            raise _fail(path, text, f"unknown list '{name}'")
        lists[CodeList(name)] = _coded(path, text, name, body)
    for name in CodeList:
        if name not in lists:
            raise _fail(path, text, f"list '{name.value}' is missing")
    for name, required in REQUIRED_CODES.items():
        for code in sorted(required - set(lists[name])):
            raise _fail(path, text, f"the code '{code}' must stay in list '{name.value}'")
    return CodedLists(lists=lists, retired=_retired(path, text, data.get("retired", {}), lists))


def _retired(
    path: Path, text: str, body: Any, lists: dict[CodeList, dict[str, str]]
) -> dict[CodeList, frozenset[str]]:
    """[retired]: per list, codes kept for the records that hold them, offered no more."""
    if not isinstance(body, dict):
        raise _fail(path, text, "[retired] must name lists and their retired codes")
    found: dict[CodeList, frozenset[str]] = {}
    for name, codes in body.items():
        if name not in CodeList._value2member_map_ or name in ISO_LISTS:
            raise _fail(path, text, f"[retired]: unknown list '{name}'")
        known = lists[CodeList(name)]
        if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
            raise _fail(path, text, f"[retired] {name} must be a list of codes")
        for code in codes:
            if code not in known:
                raise _fail(path, text, f"[retired] {name}: unknown code '{code}'")
            if code in NAMED_CODES.get(CodeList(name), ()):
                raise _fail(path, text, f"[retired] {name}: '{code}' is named by Casework")
        if set(codes) >= set(known):
            raise _fail(path, text, f"[retired] {name}: a list must keep a code to offer")
        found[CodeList(name)] = frozenset(codes)
    return found


def _iso(path: Path, text: str, codes: Any, key: str, known: Any) -> dict[str, str]:
    if not isinstance(codes, list) or not codes:
        raise _fail(path, text, f"[iso] {key} must be a non-empty list")
    found: dict[str, str] = {}
    for code in codes:
        if not isinstance(code, str) or code not in known:
            raise _fail(path, text, f"[iso] {key}: unknown code '{code}'")
        if code in found:
            raise _fail(path, text, f"[iso] {key}: '{code}' appears twice")
        found[code] = str(known[code])
    return found


def _coded(path: Path, text: str, name: str, body: Any) -> dict[str, str]:
    if not isinstance(body, dict) or not body:
        raise _fail(path, text, f"list '{name}' must have at least one code")
    for code, label in body.items():
        if not CODE_PATTERN.match(code):
            raise _fail(path, text, f"list '{name}': malformed code '{code}'")
        if not isinstance(label, str) or not label.strip() or len(label) > LABEL_MAX:
            raise _fail(path, text, f"list '{name}': code '{code}' needs a label")
    return {code: str(label) for code, label in body.items()}
