"""Cases linked as being about the same child: what their teams see of each other.

A link shows each case's reference to the members of the other case's team (and
nothing else of it); it grants no access. That two cases are one child's is part of
identifying the child, so the links are for roles that read the identification group
(not an interpreter, who sees the child's first name and languages only). The leads of
two linked cases can merge them (samechild/merging.py).
"""

from __future__ import annotations

import uuid

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from casework.access.caller import Caller
from casework.access.errors import NotPermitted
from casework.access.guard import deny
from casework.access.permissions import FieldGroup, Permission
from casework.access.policy import AccessLevel, current_policy
from casework.access.reach import Reach, Via, active_membership, reach
from casework.audit.events import Action, record
from casework.casefile.readouts import CaseLinks, LinkedCase
from casework.models.case import Case, CaseStatus
from casework.models.duplicates import CaseLink, CaseMerge, MergeAgreement


def sees_links(role: str) -> bool:
    """Whether the role sees which cases are linked to a case (the identification group)."""
    return current_policy().level(role, FieldGroup.IDENTIFICATION) > AccessLevel.NONE


def linked_cases(session: Session, caller: Caller, route: Reach) -> tuple[LinkedCase, ...]:
    """The cases linked to the reached one, for members of its team (not break-glass)."""
    if route.via not in (Via.LEAD, Via.MEMBER):
        return ()
    case_id = route.case.id
    links = session.scalars(
        select(CaseLink).where(
            or_(CaseLink.first_case_id == case_id, CaseLink.second_case_id == case_id)
        )
    ).all()
    found = []
    for link in links:
        other = session.get(Case, link.other(case_id))
        if other is None or other.status == CaseStatus.ERASED:
            continue
        agreements = {
            a.case_id: a
            for a in session.scalars(
                select(MergeAgreement).where(MergeAgreement.link_id == link.id)
            )
        }
        mine, theirs = agreements.get(case_id), agreements.get(other.id)
        found.append(
            LinkedCase(
                id=other.id,
                reference=other.reference,
                status=other.status,
                on_its_team=active_membership(session, other.id, caller.user.id) is not None,
                we_agreed_survivor=_survivor(session, mine),
                they_agreed_survivor=_survivor(session, theirs),
            )
        )
    return tuple(sorted(found, key=lambda c: c.reference))


def _survivor(session: Session, agreement: MergeAgreement | None) -> str | None:
    if agreement is None:
        return None
    return session.get_one(Case, agreement.survivor_case_id).reference


def merged_into(session: Session, case_id: uuid.UUID) -> LinkedCase | None:
    """For a merged stub: the case it was merged into."""
    merge = session.get(CaseMerge, case_id)
    if merge is None:
        return None
    survivor = session.get_one(Case, merge.survivor_case_id)
    return LinkedCase(id=survivor.id, reference=survivor.reference, status=survivor.status)


def case_links(session: Session, caller: Caller, case_id: uuid.UUID) -> CaseLinks:
    """The page of a case's linked cases, for members of its team whose role reads the
    identification group; audited as a read (a refusal as a denial)."""
    route = reach(session, caller, case_id, Permission.CASE_READ)
    if not sees_links(caller.role):
        deny(session, caller, route.case)
        raise NotPermitted(Permission.CASE_READ)
    links = linked_cases(session, caller, route)
    readout = CaseLinks(
        id=route.case.id,
        reference=route.case.reference,
        status=route.case.status,
        role_in_team=str(route.via),
        links=links,
    )
    record(
        session, Action.CASE_READ, caller.actor, case_ref=route.case.reference,
        context=caller.context,
    )  # fmt: skip
    session.commit()
    return readout
