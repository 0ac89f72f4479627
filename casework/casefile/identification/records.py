"""Recording how a child was identified: identification events [identification], the
police investigation behind them [investigation] and formal identification decisions."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from casework.access.caller import Caller
from casework.access.errors import InvalidInput
from casework.access.permissions import FieldGroup
from casework.casefile.casewide.flags import non_punishment_rule
from casework.casefile.saving import AfterSave, Save, by_id, normalise, save_record
from casework.casefile.work import Work, changing
from casework.codes import CodeList, is_code, is_offered
from casework.models.identification import (
    IdentificationDecision,
    IdentificationEvent,
    InvestigationDetail,
)

NARRATIVE_MAX = 5000
NOTES_MAX = 5000
SUSPECTS_MAX = 2000
REFERENCE_MAX = 64
DECISION_MAKER_MAX = 200
CORRECTION_MAX = 2000


@dataclass(frozen=True)
class IdentificationChange:
    identified_on: date
    jurisdiction: str
    actor_type: str
    context: str
    indicators: tuple[str, ...]
    exploitation_types: tuple[str, ...]
    ict_facilitated: bool
    recruitment_method: str
    narrative: str | None

    def check(self) -> None:
        """Refuse codes outside the coded lists, and retired codes, which records may
        hold but no new answer gives (the forms refuse them first)."""
        singles = [
            (CodeList.COUNTRY, self.jurisdiction),
            (CodeList.IDENTIFYING_ACTOR, self.actor_type),
            (CodeList.IDENTIFICATION_CONTEXT, self.context),
            (CodeList.RECRUITMENT_METHOD, self.recruitment_method),
        ]
        singles += [(CodeList.INDICATOR, c) for c in self.indicators]
        singles += [(CodeList.EXPLOITATION_TYPE, c) for c in self.exploitation_types]
        if not all(is_offered(name, code) for name, code in singles):
            raise InvalidInput("", _l("Choose each value from its list."))
        if self.narrative is not None and len(self.narrative) > NARRATIVE_MAX:
            raise InvalidInput("narrative", _l("The narrative is too long."))


@dataclass(frozen=True)
class InvestigationChange:
    reference: str | None
    suspects: str | None
    evidence_notes: str | None


@dataclass(frozen=True)
class DecisionChange:
    stage: str
    decision_maker: str
    decided_on: date
    outcome: str
    assistance_unconditional: bool

    def check(self) -> None:
        if not (
            is_code(CodeList.DECISION_STAGE, self.stage)
            and is_code(CodeList.DECISION_OUTCOME, self.outcome)
        ):
            raise InvalidInput("", _l("Choose each value from its list."))
        # Assistance never depends on cooperation (Directive 2011/36/EU Art. 11(3)).
        if not self.assistance_unconditional:
            raise InvalidInput(
                "", _l("Assistance never depends on the child cooperating with an investigation.")
            )


def record_identification(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    change: IdentificationChange,
    identification_id: uuid.UUID | None = None,
    expected_version: int | None = None,
) -> uuid.UUID:
    """Record a new identification event, or correct one (with its id and version)."""
    change.check()
    save = Save(
        group=FieldGroup.IDENTIFICATION,
        model=IdentificationEvent,
        values=asdict(change),
        expected_version=expected_version,
        **by_id(identification_id),
        extra={"recorded_by_id": caller.user.id},
    )
    return save_record(session, caller, case_id, save, non_punishment_rule(change.context))


def _identification(identification_id: uuid.UUID) -> AfterSave:
    """A check that the identification belongs to the case (else audited, 404)."""

    def check(work: Work) -> None:
        work.record_of(IdentificationEvent, identification_id, [FieldGroup.INVESTIGATION])

    return check


def save_investigation(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    identification_id: uuid.UUID,
    change: InvestigationChange,
    expected_version: int | None,
) -> uuid.UUID:
    """Record or correct the investigation details of one identification."""
    save = Save(
        group=FieldGroup.INVESTIGATION,
        model=InvestigationDetail,
        values=asdict(change),
        expected_version=expected_version,
        find={"identification_id": identification_id},
        extra={"identification_id": identification_id},
    )
    return save_record(session, caller, case_id, save, before=_identification(identification_id))


def record_decision(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    change: DecisionChange,
) -> uuid.UUID:
    """Record a formal identification decision. Decisions are never changed."""
    change.check()
    save = Save(
        group=FieldGroup.IDENTIFICATION, model=IdentificationDecision, values=asdict(change)
    )
    return save_record(session, caller, case_id, save)


def correct_decision(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    decision_id: uuid.UUID,
    change: DecisionChange,
    reason: str,
    expected_version: int | None,
) -> uuid.UUID:
    """Record a correction of a formal decision: a new, dated decision naming the one
    it corrects, with the reason. The original stays exactly as it was."""
    change.check()
    reason = reason.strip()
    if not reason or len(reason) > CORRECTION_MAX:
        raise InvalidInput(
            "correction_reason",
            _l("Say what is corrected and why, in at most %(max)d characters.", max=CORRECTION_MAX),
        )
    with changing(session, caller, case_id, FieldGroup.IDENTIFICATION) as work:
        original = work.record_of(IdentificationDecision, decision_id, [FieldGroup.IDENTIFICATION])
        work.check_version(original.version, expected_version)
        values = normalise(asdict(change))
        corrected = IdentificationDecision(
            work.case,
            corrects_id=original.corrects_id or original.id,
            correction_reason=reason,
            **values,
        )
        session.add(corrected)
        previous = {"record": "identification_decision", **original.values(tuple(values))}
        work.history(
            FieldGroup.IDENTIFICATION, previous, "correct", {**values, "correction_reason": reason}
        )
    return uuid.UUID(str(corrected.id))
