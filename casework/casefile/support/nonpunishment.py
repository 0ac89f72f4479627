"""Non-punishment: a child is not punished for offences committed as a direct
consequence of being trafficked. The trafficking assessment comes before any prosecution
decision (V.C.L. and A.N. v. UK): a decision without it is refused unless an override is
given with a reason, and then flagged; an outcome departing from the assessment needs
reasons. Police record and change their organisation's own entries; prosecutors decide.

The record is append-only where it carries a legal decision: once decided, an entry and
the assessment it rested on never change, and a second decision on it is refused. A
later correction is a new, dated entry naming the one it corrects, with a reason; the
original, its decision and a decision taken without an assessment stay as they were.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.errors import InvalidInput
from casework.access.permissions import FieldGroup, Permission
from casework.access.policy import AccessLevel, current_policy
from casework.audit.events import Action, record
from casework.casefile.support.readouts import ConsiderationReadout
from casework.casefile.work import Work, changing
from casework.codes import CodeList, is_offered
from casework.codes.named import NonPunishmentOutcome
from casework.models.nonpunishment import Link, NonPunishment

GROUP = (FieldGroup.NON_PUNISHMENT,)


@dataclass(frozen=True)
class ConsiderationInput:
    offence: str
    stage: str
    link: str
    rationale: str
    assessed_on: date | None
    assessor: str


@dataclass(frozen=True)
class CorrectionInput:
    consideration: ConsiderationInput
    reason: str


@dataclass(frozen=True)
class DecisionInput:
    decided_on: date
    decision_maker: str
    outcome: str
    departure_reasons: str
    override_reason: str
    clear_record: str


def departs(link: str, outcome: str) -> bool:
    """A prosecution where the link to the exploitation is found, or not ruled out
    (for a child no compulsion needs to be shown), departs from the assessment."""
    return outcome == NonPunishmentOutcome.PROSECUTED and link in (Link.YES, Link.UNCLEAR)


def _may_change(caller: Caller, entry: NonPunishment) -> bool:
    """Prosecutors decide on every entry; others change only their organisation's own.
    The assessment itself changes only by the organisation that recorded it."""
    if current_policy().allows(caller.role, Permission.NONPUNISHMENT_DECIDE):
        return True
    return entry.created_by_organisation_id == caller.user.organisation_id


def _check(c: ConsiderationInput) -> None:
    if not is_offered(CodeList.OFFENCE, c.offence):
        raise InvalidInput("offence", _l("Choose an offence category from the list."))
    if not is_offered(CodeList.NON_PUNISHMENT_STAGE, c.stage):
        raise InvalidInput("stage", _l("Choose the stage reached from the list."))
    if c.link not in set(Link):
        raise InvalidInput("link", _l("Choose yes, no or unclear."))
    if c.assessed_on is not None and c.assessed_on > clock.today():
        raise InvalidInput("assessed_on", _l("This date is in the future."))
    if c.assessed_on is not None and not c.assessor:
        raise InvalidInput("assessor", _l("Name who made the trafficking assessment."))
    if c.assessor and c.assessed_on is None:
        raise InvalidInput("assessed_on", _l("Give the date the assessment was completed."))


FROZEN = _l(
    "A decision rests on this entry: it can no longer change. Record a correction instead; "
    "it will show beside the original."
)
OTHERS_ASSESSMENT = _l(
    "Another organisation recorded this assessment: only it can change it. Decide on it "
    "as it stands, giving reasons where the outcome departs from it."
)
REASON_MAX = 2000
ASSESSMENT_FIELDS = ("offence", "stage", "link", "rationale", "assessed_on", "assessor")
DECISION_FIELDS = (
    "decided_on",
    "decision_maker",
    "outcome",
    "departure_reasons",
    "override_reason",
    "decided_without_assessment",
    "clear_record",
)


def _values(entry: NonPunishment, names: tuple[str, ...]) -> dict[str, object]:
    """What the history keeps of an entry; the organisation decides who reads it in full."""
    values: dict[str, object] = {name: getattr(entry, name) for name in names}
    return {
        "record": "non_punishment",
        "organisation": str(entry.created_by_organisation_id),
        **values,
    }


def _changeable(work: Work, entry_id: uuid.UUID) -> NonPunishment:
    entry = work.record_of(NonPunishment, entry_id)
    if not _may_change(work.caller, entry):
        raise work.refuse(FieldGroup.NON_PUNISHMENT, [FieldGroup.NON_PUNISHMENT])
    return entry


def _apply(entry: NonPunishment, c: ConsiderationInput) -> None:
    entry.offence = c.offence
    entry.stage = c.stage
    entry.link = c.link
    entry.rationale = c.rationale
    entry.assessed_on = c.assessed_on
    entry.assessor = c.assessor or None


def _new_entry(work: Work, c: ConsiderationInput) -> NonPunishment:
    entry = NonPunishment(
        work.case,
        created_by=work.caller.user.username,
        created_by_organisation_id=work.caller.user.organisation_id,
        offence=c.offence,
        stage=c.stage,
        link=c.link,
        rationale=c.rationale,
    )
    _apply(entry, c)
    work.session.add(entry)
    return entry


def add_consideration(
    session: Session, caller: Caller, case_id: uuid.UUID, c: ConsiderationInput
) -> uuid.UUID:
    with changing(session, caller, case_id, FieldGroup.NON_PUNISHMENT) as work:
        _check(c)
        entry = _new_entry(work, c)
        work.history(
            FieldGroup.NON_PUNISHMENT,
            _values(entry, ()),
            "create",
            _values(entry, ASSESSMENT_FIELDS),
        )
    return entry.id


def update_consideration(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    entry_id: uuid.UUID,
    c: ConsiderationInput,
    expected_version: int | None,
) -> None:
    """Change an entry not decided yet; a decided one is refused (record a correction)."""
    with changing(session, caller, case_id, FieldGroup.NON_PUNISHMENT) as work:
        _check(c)
        entry = _changeable(work, entry_id)
        work.check_version(entry.version, expected_version)
        if entry.decided_on is not None:
            raise InvalidInput("", FROZEN)
        if entry.created_by_organisation_id != caller.user.organisation_id:
            # The assessment is the recording organisation's: a prosecutor decides on it
            # (giving reasons where the outcome departs from it) but never rewrites it.
            raise InvalidInput("", OTHERS_ASSESSMENT)
        previous = _values(entry, ASSESSMENT_FIELDS)
        _apply(entry, c)
        current = _values(entry, ASSESSMENT_FIELDS)
        if previous == current:
            work.unchanged()
            return
        work.history(FieldGroup.NON_PUNISHMENT, previous, current=current)


def correct_consideration(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    entry_id: uuid.UUID,
    correction: CorrectionInput,
    expected_version: int | None,
) -> uuid.UUID:
    """Record a correction of a decided entry: a new, dated entry beside it, with the
    reason. The original and its decision stay exactly as they were."""
    with changing(session, caller, case_id, FieldGroup.NON_PUNISHMENT) as work:
        c = correction.consideration
        _check(c)
        reason = correction.reason.strip()
        if not reason or len(reason) > REASON_MAX:
            raise InvalidInput(
                "correction_reason",
                _l("Say what is corrected and why, in at most %(max)d characters.", max=REASON_MAX),
            )
        original = _changeable(work, entry_id)
        work.check_version(original.version, expected_version)
        if original.decided_on is None:
            raise InvalidInput("", _l("This entry is not decided yet: change it instead."))
        entry = _new_entry(work, c)
        # Corrections name the first entry, so they all show beside it.
        entry.corrects_id = original.corrects_id or original.id
        entry.correction_reason = reason
        work.history(
            FieldGroup.NON_PUNISHMENT,
            _values(original, ASSESSMENT_FIELDS + DECISION_FIELDS),
            "correct",
            {**_values(entry, ASSESSMENT_FIELDS), "correction_reason": reason},
        )
    return entry.id


def _check_decision(entry: NonPunishment, d: DecisionInput) -> None:
    if not is_offered(CodeList.NON_PUNISHMENT_OUTCOME, d.outcome):
        raise InvalidInput("outcome", _l("Choose an outcome from the list."))
    if d.decided_on > clock.today():
        raise InvalidInput("decided_on", _l("This date is in the future."))
    if entry.assessed_on is None and not d.override_reason:
        raise InvalidInput(
            "override_reason",
            _l(
                "No trafficking assessment is recorded. Record the assessment first; only "
                "if the decision cannot wait, state here why. The decision will be flagged."
            ),
        )
    if entry.assessed_on is not None and d.decided_on < entry.assessed_on:
        raise InvalidInput("decided_on", _l("The decision cannot come before the assessment."))
    if departs(entry.link, d.outcome) and not d.departure_reasons:
        raise InvalidInput(
            "departure_reasons",
            _l("This outcome departs from the assessment of the link: give the reasons."),
        )


def _may_decide(work: Work) -> None:
    if not current_policy().allows(work.caller.role, Permission.NONPUNISHMENT_DECIDE):
        raise work.refuse(Permission.NONPUNISHMENT_DECIDE)


def ensure_may_decide(session: Session, caller: Caller, case_id: uuid.UUID) -> None:
    """Raise (audited) unless the caller may record prosecution decisions on this case."""
    with changing(session, caller, case_id, FieldGroup.NON_PUNISHMENT) as work:
        _may_decide(work)
        work.unchanged()


def record_prosecution_decision(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    entry_id: uuid.UUID,
    d: DecisionInput,
    expected_version: int | None,
) -> None:
    """Record the decision on an entry. A decided entry is refused: a decision is never
    replaced, a later one goes on a correction."""
    with changing(session, caller, case_id, FieldGroup.NON_PUNISHMENT) as work:
        _may_decide(work)
        entry = work.record_of(NonPunishment, entry_id)
        work.check_version(entry.version, expected_version)
        if entry.decided_on is not None:
            raise InvalidInput("", FROZEN)
        _check_decision(entry, d)
        override = entry.assessed_on is None
        entry.decided_on = d.decided_on
        entry.decided_by = caller.user.username
        entry.decision_maker = d.decision_maker
        entry.outcome = d.outcome
        entry.departure_reasons = d.departure_reasons or None
        entry.override_reason = d.override_reason if override else None
        entry.decided_without_assessment = override
        entry.clear_record = d.clear_record or None
        work.history(
            FieldGroup.NON_PUNISHMENT,
            _values(entry, ASSESSMENT_FIELDS),
            "decide",
            _values(entry, DECISION_FIELDS),
        )
        if override:
            # Flagged to auditors by its own event, besides the change itself.
            record(
                session,
                Action.NONPUNISHMENT_OVERRIDE,
                caller.actor,
                case_ref=work.case.reference,
                field_groups=GROUP,
                context=caller.context,
            )


def readout_of(entry: NonPunishment, level: AccessLevel, caller: Caller) -> ConsiderationReadout:
    """What `level` shows: minimal the flag, summary the outcome, read all of it."""
    if level == AccessLevel.WRITE and not _may_change(caller, entry):
        # Police see other organisations' entries as flag and outcome.
        level = AccessLevel.SUMMARY
    if level < AccessLevel.SUMMARY:
        return ConsiderationReadout(
            id=entry.id, full=False, may_change=False, corrects=entry.corrects_id
        )
    if level == AccessLevel.SUMMARY:
        # The procedure, not the offence: when it was assessed and by whom, the decision,
        # and why it could not wait for the assessment.
        return ConsiderationReadout(
            id=entry.id,
            full=False,
            may_change=False,
            outcome=entry.outcome,
            decided_on=entry.decided_on,
            decided_without_assessment=entry.decided_without_assessment,
            assessed_on=entry.assessed_on,
            assessor=entry.assessor,
            override_reason=entry.override_reason,
            recorded_on=entry.created_at.date(),
            corrects=entry.corrects_id,
        )
    own = entry.created_by_organisation_id == caller.user.organisation_id
    return _full(entry, may_change=level == AccessLevel.WRITE, own=own)


def _full(entry: NonPunishment, may_change: bool, own: bool = False) -> ConsiderationReadout:
    return ConsiderationReadout(
        id=entry.id,
        full=True,
        may_change=may_change,
        may_change_assessment=may_change and own,
        outcome=entry.outcome,
        decided_on=entry.decided_on,
        decided_without_assessment=entry.decided_without_assessment,
        offence=entry.offence,
        stage=entry.stage,
        link=entry.link,
        rationale=entry.rationale,
        assessed_on=entry.assessed_on,
        assessor=entry.assessor,
        decision_maker=entry.decision_maker,
        departure_reasons=entry.departure_reasons,
        override_reason=entry.override_reason,
        clear_record=entry.clear_record,
        version=entry.version,
        recorded_on=entry.created_at.date(),
        corrects=entry.corrects_id,
        correction_reason=entry.correction_reason,
    )


def considerations(
    session: Session, caller: Caller, case_id: uuid.UUID
) -> tuple[ConsiderationReadout, ...] | None:
    level = current_policy().level(caller.role, FieldGroup.NON_PUNISHMENT)
    if level == AccessLevel.NONE:
        return None
    rows = session.scalars(
        select(NonPunishment)
        .where(NonPunishment.case_id == case_id)
        .order_by(NonPunishment.created_at)
    )
    return tuple(readout_of(e, level, caller) for e in rows)


def consideration_for_edit(
    session: Session, caller: Caller, case_id: uuid.UUID, entry_id: uuid.UUID
) -> ConsiderationReadout:
    """An entry for its edit or decision form; only for those who may change it."""
    with changing(session, caller, case_id, FieldGroup.NON_PUNISHMENT) as work:
        entry = _changeable(work, entry_id)
        readout = _full(entry, may_change=True)
        work.action = Action.CASE_READ
    return readout
