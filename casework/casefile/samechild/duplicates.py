"""One child, one case: the duplicate check across teams, and what it leaves behind.

When a case is opened (by hand or by recording an identification), the door looks for
cases of the same child anywhere in Casework: the same name in any of its spellings
(among names and aliases) and the same date of birth, or the same identity-document
number. Cases on the caller's own teams were already offered on the form (the search,
`possible_duplicates`). Any other match is **not** shown to the caller, in any way: the
answer is exactly the answer for a child with no match. Instead a "possible same child"
item names the two references for the existing case's lead and for the coordinators of
the region where the new case is opened, who can link the cases or dismiss the item.
Each new item is also a notification to each of them (kind `possible_same_child`): it
names a case by reference, on Today, and its e-mail says only how many items wait.

Constant work: every check reads and decrypts `CHECK_SLOTS` cases, real candidates
first and then decoys (cases drawn at random from the blind index), so that a hidden
match does not cost more reading than no match. Candidates are the cases off the
caller's own teams (those the form offers), oldest first, document numbers first in
`DOCUMENT_SLOTS` of their own; candidates beyond the slots are not read (a limit on
what one check can learn) but still become items, up to `UNCHECKED_MAX`. What remains
different is the item itself and its audit event: one insert and one event per hidden
match, written in the same transaction as the new case (docs/encryption.md: "Same
work whatever it finds").

Audit: one `duplicate.check` event on the new case for every check, and one on each
case of another team that matched; an item's decision is recorded on both cases.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.errors import CaseNotFound, StaleEdit, WrongStatus
from casework.access.guard import deny, require
from casework.access.permissions import FieldGroup, Permission
from casework.access.policy import current_policy
from casework.audit.events import Action, record
from casework.casefile.casewide.newchild import NewChild
from casework.casefile.casewide.search import (
    Alternatives,
    _decrypted_terms,
    candidate_cases,
    models_holding,
    query_terms,
)
from casework.casefile.today.notify import SAME_CHILD, case_leads, notify
from casework.casefile.work import finishing
from casework.crypto.blind_index import name_terms
from casework.crypto.registry import EncryptedModel, encrypted_models
from casework.models.base import Base
from casework.models.blind_index import BlindIndexEntry
from casework.models.case import Case, CaseStatus
from casework.models.duplicates import CaseLink, PossibleSameChild, SameChildState
from casework.models.organisation import Organisation
from casework.models.team import TeamMembership, TeamRole
from casework.models.user import User

# Cases read and decrypted by every check, real candidates and decoys together.
CHECK_SLOTS = 8
# Of those, the slots document numbers fill first: an exact document match is never
# crowded out by cases that share the name.
DOCUMENT_SLOTS = 4
# Candidates beyond the slots are not read; up to this many of them become items unread.
UNCHECKED_MAX = 20
# Where decoys are drawn from: every case has a family name.
DECOY_FIELD = "child.family_name"
DECOY_BITS = 12


@dataclass(frozen=True)
class SameChildItem:
    """A possible same child, as its readers see it: two references, nothing else."""

    id: uuid.UUID
    version: int
    new_reference: str
    existing_reference: str
    existing_case_id: uuid.UUID
    found_at: datetime
    yours: bool  # the reader leads the existing case


def criteria(child: NewChild, documents: tuple[str, ...] = ()) -> list[list[Alternatives]]:
    """What makes another case a match: every word of the name (in some spelling, among
    names and aliases) and the date of birth if known; or any document number."""
    found: list[list[Alternatives]] = []
    name = f"{child.given_name} {child.family_name}"
    if name_terms(name):
        found.append(query_terms(name, child.date_of_birth))
    for number in documents:
        terms = query_terms(document_number=number)
        if terms:
            found.append(terms)
    return found


@dataclass(frozen=True)
class Matches:
    """What a check found in other teams' cases: `checked`, read and decrypted and
    found to match; `unchecked`, candidates by their blind-index tokens beyond the
    slots, not read (each still left as an item for people who may look)."""

    checked: list[Case]
    unchecked: list[Case]


def matching_cases(
    session: Session,
    child: NewChild,
    documents: tuple[str, ...] = (),
    *,
    caller_id: uuid.UUID | None = None,
) -> Matches:
    """Cases anywhere (but on the teams of `caller_id`, whose matches the form offers)
    that may be about this child, oldest first. Document numbers are looked for first,
    in slots of their own, then the name; always reads CHECK_SLOTS cases (decoys fill
    the slots candidates leave), and candidates beyond the slots come back unchecked."""
    models = encrypted_models(Base.registry)
    wanted = criteria(child, documents)
    name = f"{child.given_name} {child.family_name}"
    by_name = wanted[:1] if name_terms(name) else []
    by_document = wanted[len(by_name) :]
    taken: list[uuid.UUID] = []
    seen: list[uuid.UUID] = []
    for group, room in ((by_document, DOCUMENT_SLOTS), (by_name, CHECK_SLOTS)):
        for terms in group:
            for case_id in _candidates(session, models, terms, caller_id):
                if case_id in seen:
                    continue
                seen.append(case_id)
                if len(taken) < room:
                    taken.append(case_id)
    slots = taken + _decoys(session, CHECK_SLOTS - len(taken), set(taken))
    held = _read(session, models_holding(models, [t for terms in wanted for t in terms]), slots)
    cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(seen)))}
    checked = [
        cases[case_id]
        for case_id in taken
        if any(all(alts & held.get(case_id, set()) for alts in terms) for terms in wanted)
    ]
    unchecked = [cases[c] for c in seen if c not in taken][:UNCHECKED_MAX]
    return Matches(checked=checked, unchecked=unchecked)


def _candidates(
    session: Session,
    models: list[EncryptedModel],
    terms: list[Alternatives],
    caller_id: uuid.UUID | None,
) -> list[uuid.UUID]:
    """The open cases holding a token of every term, off the caller's teams, oldest
    first (then by reference): the same query always fills the slots the same way."""
    found = candidate_cases(session, models, terms, not_member=caller_id)
    if not found:
        return []
    return list(
        session.scalars(
            select(Case.id)
            .where(Case.id.in_(found), Case.status.not_in((CaseStatus.ERASED, CaseStatus.MERGED)))
            .order_by(Case.created_at, Case.reference)
        )
    )


def _read(
    session: Session, models: list[EncryptedModel], case_ids: list[uuid.UUID]
) -> dict[uuid.UUID, set[tuple[str, object]]]:
    if not case_ids:
        return {}
    # The cases first, so each row finds its case's key in the identity map.
    list(session.scalars(select(Case).where(Case.id.in_(case_ids))))
    held, _ = _decrypted_terms(session, models, case_ids)
    return held


def _decoys(session: Session, count: int, taken: set[uuid.UUID]) -> list[uuid.UUID]:
    """`count` cases drawn from the blind index at a random token: as cheap to find as a
    candidate, read and decrypted like one, then ignored."""
    if count <= 0:
        return []
    entry = BlindIndexEntry
    start = secrets.randbelow(2**DECOY_BITS)
    found: list[uuid.UUID] = []
    for window in (entry.token >= start, entry.token < start):
        rows = session.scalars(
            select(entry.case_id)
            .where(entry.field == DECOY_FIELD, window)
            .order_by(entry.token)
            .limit(count + len(taken))
        )
        for case_id in rows:
            if case_id not in taken and case_id not in found and len(found) < count:
                found.append(case_id)
        if len(found) >= count:
            break
    return found


def _on_team(session: Session, user_id: uuid.UUID, case_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Which of the cases the user is an active team member of."""
    if not case_ids:
        return set()
    day = clock.today()
    rows = session.scalars(
        select(TeamMembership).where(
            TeamMembership.case_id.in_(case_ids), TeamMembership.user_id == user_id
        )
    )
    return {m.case_id for m in rows if m.is_active_on(day)}


@dataclass
class Check:
    """A duplicate check made before a case is opened, finished once it is."""

    hidden: list[Case]

    def finish(self, session: Session, caller: Caller, case: Case) -> None:
        """Leave an item for each hidden match and record the check on every case it
        concerns; inside the transaction that opens `case`, after it is flushed."""
        region = session.scalar(
            select(Organisation.region).where(Organisation.id == case.lead_organisation_id)
        )
        groups = [FieldGroup.IDENTITY]
        coordinators = region_coordinators(session, region) if region else []
        for existing in self.hidden:
            known = session.scalar(
                select(PossibleSameChild.id).where(
                    PossibleSameChild.new_case_id == case.id,
                    PossibleSameChild.existing_case_id == existing.id,
                )
            )
            if known is None:
                session.add(
                    PossibleSameChild(
                        new_case_id=case.id, existing_case_id=existing.id, region=region or ""
                    )
                )
            # Each reader is told once of each pair, under the case they may know of:
            # the lead their own case, the coordinators the one opened in their region.
            key = f"{case.id}:{existing.id}"
            skip = caller.user.id
            leads = case_leads(session, existing.id)
            notify(session, SAME_CHILD.code, existing, leads, key=key, skip=skip)
            notify(session, SAME_CHILD.code, case, coordinators, key=key, skip=skip)
            record(
                session,
                Action.DUPLICATE_CHECK,
                caller.actor,
                case_ref=existing.reference,
                field_groups=groups,
                context=caller.context,
            )
        record(
            session,
            Action.DUPLICATE_CHECK,
            caller.actor,
            case_ref=case.reference,
            field_groups=groups,
            context=caller.context,
        )


def region_coordinators(session: Session, region: str) -> list[uuid.UUID]:
    """The active users who coordinate `region` (roles with `case:overview`, by the
    policy, in an organisation of the region)."""
    policy = current_policy()
    rows = session.execute(
        select(User.id, User.role)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(Organisation.region == region, User.active.is_(True))
        .order_by(User.username)
    )
    return [user_id for user_id, role in rows if policy.allows(role, Permission.CASE_OVERVIEW)]


def check_before_opening(
    session: Session, caller: Caller, child: NewChild, documents: tuple[str, ...] = ()
) -> Check:
    """The cases of other teams that may be about this child (never shown to the
    caller): those checked and found to match, and those beyond the slots, unchecked."""
    found = matching_cases(session, child, documents, caller_id=caller.user.id)
    hidden = found.checked + found.unchecked
    mine = _on_team(session, caller.user.id, [c.id for c in hidden])
    return Check(hidden=[c for c in hidden if c.id not in mine])


# -- the items ------------------------------------------------------------------------


def _lead_of(session: Session, user_id: uuid.UUID) -> list[uuid.UUID]:
    """Cases the user leads today."""
    day = clock.today()
    rows = session.scalars(
        select(TeamMembership).where(
            TeamMembership.user_id == user_id, TeamMembership.role_in_team == TeamRole.LEAD
        )
    )
    return [m.case_id for m in rows if m.is_active_on(day)]


def _coordinated_region(session: Session, caller: Caller) -> str | None:
    """The region whose items the caller reads as its coordinator, if any."""
    if not current_policy().allows(caller.role, Permission.CASE_OVERVIEW):
        return None
    return session.scalar(
        select(Organisation.region).where(Organisation.id == caller.user.organisation_id)
    )


def same_child_items(session: Session, caller: Caller) -> list[SameChildItem]:
    """Open items for the caller: as lead of the existing case, or as coordinator of the
    region the new case was opened in. References only."""
    require(session, caller, Permission.CASE_READ)
    items = open_items(session, caller)
    record(session, Action.CASE_LIST, caller.actor, context=caller.context)
    session.commit()
    return items


def open_items(session: Session, caller: Caller) -> list[SameChildItem]:
    """The caller's open items, newest first; no audit, no commit (the page showing
    them records its own reading)."""
    led = _lead_of(session, caller.user.id)
    region = _coordinated_region(session, caller)
    item = PossibleSameChild
    reach_it: list[ColumnElement[bool]] = [item.existing_case_id.in_(led)] if led else []
    if region is not None:
        reach_it.append(item.region == region)
    items: list[SameChildItem] = []
    if reach_it:
        rows = session.scalars(
            select(item)
            .where(item.state == SameChildState.OPEN, or_(*reach_it))
            .order_by(item.found_at.desc())
        ).all()
        refs = _references(
            session, [r.new_case_id for r in rows] + [r.existing_case_id for r in rows]
        )
        items = [
            SameChildItem(
                id=r.id,
                version=r.version,
                new_reference=refs[r.new_case_id],
                existing_reference=refs[r.existing_case_id],
                existing_case_id=r.existing_case_id,
                found_at=r.found_at,
                yours=r.existing_case_id in led,
            )
            for r in rows
        ]
    return items


def _references(session: Session, case_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
    if not case_ids:
        return {}
    rows = session.execute(select(Case.id, Case.reference).where(Case.id.in_(case_ids)))
    return {row.id: row.reference for row in rows}


def _item_for(session: Session, caller: Caller, item_id: uuid.UUID) -> PossibleSameChild:
    """The item, if the caller may decide it (lead of its existing case, or coordinator
    of its region); anything else is answered like a missing case, and audited."""
    require(session, caller, Permission.CASE_READ)
    item = session.get(PossibleSameChild, item_id)
    allowed = item is not None and (
        item.existing_case_id in _lead_of(session, caller.user.id)
        or ((region := _coordinated_region(session, caller)) is not None and item.region == region)
    )
    if item is None or not allowed:
        existing = session.get(Case, item.existing_case_id) if item is not None else None
        deny(session, caller, existing, [FieldGroup.IDENTITY])
        raise CaseNotFound(str(item_id))
    return item


def _decided(
    session: Session,
    caller: Caller,
    item_id: uuid.UUID,
    expected_version: int | None,
    state: SameChildState,
) -> PossibleSameChild:
    item = _item_for(session, caller, item_id)
    if item.state != SameChildState.OPEN:
        session.rollback()
        raise WrongStatus(item.state)
    if item.version != expected_version:
        session.rollback()
        raise StaleEdit(item.version)
    item.state = state
    item.decided_by_id = caller.user.id
    item.decided_at = clock.utcnow()
    return item


def _record_on_both(session: Session, caller: Caller, action: Action, *case_ids: uuid.UUID) -> None:
    refs = _references(session, list(case_ids))
    for case_id in case_ids:
        record(
            session,
            action,
            caller.actor,
            case_ref=refs[case_id],
            field_groups=[FieldGroup.IDENTITY],
            context=caller.context,
        )


def dismiss_same_child(
    session: Session, caller: Caller, item_id: uuid.UUID, expected_version: int | None
) -> None:
    """Not the same child: the item is closed, recorded on both of its cases."""
    with finishing(session):
        item = _decided(session, caller, item_id, expected_version, SameChildState.DISMISSED)
        session.flush()
        _record_on_both(
            session, caller, Action.DUPLICATE_DECIDE, item.new_case_id, item.existing_case_id
        )


def link_same_child(
    session: Session, caller: Caller, item_id: uuid.UUID, expected_version: int | None
) -> None:
    """The same child: the two cases are linked, so each team sees the other's reference.
    Linking grants nobody access to the other case."""
    with finishing(session):
        item = _decided(session, caller, item_id, expected_version, SameChildState.LINKED)
        link_cases(session, caller, item.new_case_id, item.existing_case_id)


def link_cases(session: Session, caller: Caller, one: uuid.UUID, other: uuid.UUID) -> CaseLink:
    """The link between two cases (made if missing), recorded on both; no commit."""
    first, second = sorted((one, other))
    link = session.scalar(
        select(CaseLink).where(
            and_(CaseLink.first_case_id == first, CaseLink.second_case_id == second)
        )
    )
    if link is None:
        link = CaseLink(first_case_id=first, second_case_id=second, linked_by_id=caller.user.id)
        session.add(link)
    session.flush()
    _record_on_both(session, caller, Action.CASE_LINK, first, second)
    return link
