"""Referrals: a team member refers the case to another organisation; a coordinator of
the receiving region accepts it (choosing members) or declines it with a reason.

Until a referral is accepted the receiver sees only what it reveals: the reference, the
organisations, the reason and the consent. Never the child's identity.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.errors import CaseNotFound, InvalidInput
from casework.access.guard import deny, require
from casework.access.permissions import FieldGroup, Permission
from casework.access.policy import AccessLevel, current_policy
from casework.access.reach import reach
from casework.audit.events import Action, record
from casework.casefile.casewide.opening import role_actor_type
from casework.casefile.support.membership import joins_as, stage_member
from casework.casefile.support.readouts import Choice, ReferralLine, ReferralPage
from casework.casefile.support.team import refuse_self, team_candidates
from casework.casefile.today.notify import REFERRAL_DECIDED, notify, team_user_ids
from casework.casefile.work import Work, changing, finishing, keep_history, writable
from casework.clock import utcnow
from casework.codes import CodeList, is_offered
from casework.codes.named import ActorType
from casework.models.case import Case, CaseStatus
from casework.models.organisation import NOT_SUPPORT, Organisation
from casework.models.referral import Referral, ReferralState
from casework.models.team import TeamMembership

REASON_MAX = 2000
REFERRAL_GROUP = "referrals"


@dataclass(frozen=True)
class NewReferral:
    to_organisation_id: uuid.UUID
    reason: str
    consent: str


def organisations(session: Session) -> list[tuple[uuid.UUID, str]]:
    """Organisations one can refer to or name as a provider (not case data)."""
    query = select(Organisation).where(Organisation.kind.not_in(NOT_SUPPORT))
    return [(o.id, o.name) for o in session.scalars(query.order_by(Organisation.name))]


def line(referral: Referral, with_reasons: bool, with_decision: bool = False) -> ReferralLine:
    """`with_reasons`: the sender's reason and the decision's; `with_decision`: the
    decision's reason only (written by the receiver for the sender)."""
    return ReferralLine(
        id=referral.id,
        reference=referral.case.reference,
        from_organisation=referral.from_organisation.name,
        to_organisation=referral.to_organisation.name,
        state=referral.state,
        consent=referral.consent,
        created_at=referral.created_at,
        decided_at=referral.decided_at,
        reason=referral.reason if with_reasons else None,
        decision_reason=referral.decision_reason if with_reasons or with_decision else None,
    )


def case_referrals(session: Session, case: Case, role: str) -> tuple[ReferralLine, ...]:
    """The case's referrals for its team: every member sees the outcome and why a
    referral was declined; the reason for referring is for support-plan readers only."""
    with_reasons = current_policy().level(role, FieldGroup.SUPPORT_PLAN) >= AccessLevel.READ
    rows = session.scalars(
        select(Referral).where(Referral.case_id == case.id).order_by(Referral.created_at.desc())
    )
    return tuple(line(r, with_reasons, with_decision=True) for r in rows)


def ensure_may_refer(session: Session, caller: Caller, case_id: uuid.UUID) -> str:
    """The case's reference, if the caller may refer it. The referral form shows the
    case, so opening it is audited as a read (of no field group); refusals are too."""
    route = reach(session, caller, case_id, Permission.REFERRAL_CREATE)
    reference = writable(route, session).reference
    record(session, Action.CASE_READ, caller.actor, case_ref=reference, context=caller.context)
    session.commit()
    return reference


def refer(session: Session, caller: Caller, case_id: uuid.UUID, new: NewReferral) -> uuid.UUID:
    with changing(session, caller, case_id, permission=Permission.REFERRAL_CREATE) as work:
        work.action = Action.REFERRAL_CREATE
        work.touch(FieldGroup.SUPPORT_PLAN)
        _check_referral(work, new)
        referral = Referral(
            work.case,
            new.reason,
            from_organisation_id=caller.user.organisation_id,
            to_organisation_id=new.to_organisation_id,
            consent=new.consent,
            created_by=caller.user.username,
        )
        session.add(referral)
        work.history(
            FieldGroup.SUPPORT_PLAN,
            {"record": "referral"},
            "create",
            {
                "to_organisation": referral_target(work, new.to_organisation_id),
                "consent": new.consent,
                "reason": new.reason,
            },
        )
    return referral.id


def referral_target(work: Work, organisation_id: uuid.UUID) -> str:
    target = work.session.get(Organisation, organisation_id)
    return target.name if target else ""


def _check_referral(work: Work, new: NewReferral) -> None:
    target = work.session.get(Organisation, new.to_organisation_id)
    if target is None or target.kind in NOT_SUPPORT:
        raise InvalidInput("to_organisation", _l("Choose an organisation from the list."))
    if target.id == work.caller.user.organisation_id:
        raise InvalidInput(
            "to_organisation", _l("Your own organisation cannot receive your referral.")
        )
    if _pending(work.session, work.case.id, target.id):
        raise InvalidInput(
            "to_organisation", _l("A referral to this organisation is already waiting.")
        )
    if not is_offered(CodeList.CONSENT, new.consent):
        raise InvalidInput("consent", _l("Record whose consent was given."))


def _pending(session: Session, case_id: uuid.UUID, to_id: uuid.UUID) -> bool:
    return (
        session.scalar(
            select(Referral.id).where(
                Referral.case_id == case_id,
                Referral.to_organisation_id == to_id,
                Referral.state == ReferralState.PENDING,
            )
        )
        is not None
    )


def _region_referrals(session: Session, caller: Caller) -> list[Referral]:
    region = caller.user.organisation.region
    return list(
        session.scalars(
            select(Referral)
            .join(Organisation, Organisation.id == Referral.to_organisation_id)
            .where(Organisation.region == region)
            .order_by(Referral.created_at.desc())
        )
    )


def referral_inbox(session: Session, caller: Caller) -> list[ReferralLine]:
    """Referrals to organisations of the coordinator's region, without reasons."""
    require(session, caller, Permission.REFERRAL_DECIDE)
    rows = [line(r, with_reasons=False) for r in _region_referrals(session, caller)]
    record(session, Action.CASE_LIST, caller.actor, context=caller.context)
    session.commit()
    return rows


def _receivable(session: Session, caller: Caller, referral_id: uuid.UUID) -> Referral:
    require(session, caller, Permission.REFERRAL_DECIDE)
    referral = session.get(Referral, referral_id)
    region = caller.user.organisation.region
    if referral is None or referral.to_organisation.region != region:
        deny(session, caller, referral.case if referral else None)
        raise CaseNotFound(str(referral_id))
    return referral


def read_referral(session: Session, caller: Caller, referral_id: uuid.UUID) -> ReferralPage:
    referral = _receivable(session, caller, referral_id)
    page = ReferralPage(
        referral=line(referral, with_reasons=True),
        candidates=tuple(
            Choice(str(u.id), u.display_name)
            for u in team_candidates(session, referral.to_organisation_id, besides=caller.user)
        ),
    )
    record(
        session,
        Action.CASE_READ,
        caller.actor,
        case_ref=referral.case.reference,
        context=caller.context,
    )
    session.commit()
    return page


def _decidable(session: Session, caller: Caller, referral_id: uuid.UUID) -> Referral:
    referral = _receivable(session, caller, referral_id)
    if referral.state != ReferralState.PENDING:
        session.rollback()
        raise InvalidInput("decision", _l("This referral has been decided already."))
    if referral.case.status in (CaseStatus.CLOSED, CaseStatus.ERASED):
        session.rollback()
        raise InvalidInput(
            "decision",
            _l("The case is closed: nobody joins its team until its lead reopens it."),
        )
    return referral


def _decided(session: Session, caller: Caller, referral: Referral, state: str) -> None:
    referral.state = state
    referral.decided_at = utcnow()
    referral.decided_by = caller.user.username
    team = team_user_ids(session, referral.case_id)
    notify(session, REFERRAL_DECIDED.code, referral.case, team, skip=caller.user.id)
    # Every member sees a referral's outcome and why it was declined.
    keep_history(
        session,
        referral.case,
        caller.user.username,
        REFERRAL_GROUP,
        {"record": "referral", "to_organisation": referral.to_organisation.name},
        "decide",
        {"referral_state": state, "decision_reason": referral.decision_reason},
    )
    record(
        session,
        Action.REFERRAL_DECIDE,
        caller.actor,
        case_ref=referral.case.reference,
        context=caller.context,
    )


def accept_referral(
    session: Session, caller: Caller, referral_id: uuid.UUID, member_ids: list[uuid.UUID]
) -> None:
    """Accept, adding the chosen people of the receiving organisation as members."""
    referral = _decidable(session, caller, referral_id)
    refuse_self(session, caller, referral.case, member_ids)
    with finishing(session):
        allowed = {u.id: u for u in team_candidates(session, referral.to_organisation_id)}
        chosen = [allowed[i] for i in member_ids if i in allowed]
        if not chosen or len(chosen) != len(member_ids):
            raise InvalidInput("members", _l("Choose at least one person to join the team."))
        day = clock.today()
        for user in chosen:
            if _already_member(session, referral.case_id, user.id):
                continue
            stage_member(
                session,
                caller.actor,
                referral.case_id,
                user,
                joins_as(user, role_actor_type(user.role, ActorType.NGO)),
                starts_on=day,
                context=caller.context,
                added_by=caller.user,
            )
        _decided(session, caller, referral, ReferralState.ACCEPTED)


def _already_member(session: Session, case_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    day = clock.today()
    rows = session.scalars(
        select(TeamMembership).where(
            TeamMembership.case_id == case_id, TeamMembership.user_id == user_id
        )
    )
    return any(m.ends_on is None or m.ends_on > day for m in rows)


def decline_referral(session: Session, caller: Caller, referral_id: uuid.UUID, reason: str) -> None:
    referral = _decidable(session, caller, referral_id)
    with finishing(session):
        if not reason.strip():
            raise InvalidInput(
                "reason", _l("Say why the referral is declined; the sender sees it.")
            )
        referral.decision_reason = reason.strip()
        _decided(session, caller, referral, ReferralState.DECLINED)
