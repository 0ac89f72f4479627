"""Merging two linked cases of one child, once both leads agree.

Each lead agrees for the case they lead (confirmation and a fresh sign-in are asked for
by the page), naming the case that goes on (the survivor). The merge happens when the
second agreement names the same survivor and the first was given by the other case's
lead of today; an agreement by anyone else, or by a lead who has since handed the case
on, counts for nothing.

The merge, in one transaction:

- every encrypted record of the merged case moves to the survivor and is sealed again
  under the survivor's key (its blind-index tokens follow); its history and its flags,
  referrals, status changes and break-glass grants move with it;
- records a case has only one of (the child, the age assessment, the migration status,
  the placement): the survivor's stays, the merged case's values are kept in the
  survivor's history (change "merge"), and the merged child's names become aliases;
- break-glass grants on the merged case end now: emergency access to one case never
  becomes access to another;
- a child recorded missing in both cases is missing once: the episode that began first
  stays open, the other goes to the survivor's history (change "merge"), and a second
  open "missing" (or "no guardian") flag is resolved;
- the merged case's active and future team members join the survivor's team (as
  members), with their start and end dates as they were, each with a history entry,
  an audit event and the merging lead as `added_by`; the survivor's leads are notified
  (and the person joining is told); the merge page names who will join;
- the merged case's data key is destroyed and it stays as a stub (status "merged")
  pointing to the survivor, which refuses every change;
- the merged case's statistical record is deleted: the survivor's counts the child;
- one `case.merge` audit event on each case; the audit log itself is never touched.

A merge is undone only by restoring a backup.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.errors import CaseNotFound, InvalidInput, NotPermitted, WrongStatus
from casework.access.guard import deny
from casework.access.permissions import FieldGroup, Permission
from casework.access.reach import Reach, Via, active_membership, reach
from casework.audit.events import Action, record
from casework.casefile.casewide.flags import AUTOMATIC_ONLY, case_flags
from casework.casefile.casewide.missing import MISSING_GROUP, open_episode
from casework.casefile.statistics import record as statistics
from casework.casefile.support.membership import member_history
from casework.casefile.today.notify import CASE_HANDED, MEMBER_ADDED, case_leads, notify
from casework.casefile.work import finishing, writable
from casework.crypto.aead import FieldIntegrityError
from casework.crypto.registry import EncryptedModel, encrypted_models
from casework.models.base import Base
from casework.models.blind_index import BlindIndexEntry
from casework.models.breakglass import BreakGlassGrant
from casework.models.case import KEY_DESTROYED, Case, CaseStatus, Child
from casework.models.case_keys import forget_case_secrets
from casework.models.duplicates import (
    CaseLink,
    CaseMerge,
    MergeAgreement,
    PossibleSameChild,
    SameChildState,
)
from casework.models.history import CaseHistoryEntry
from casework.models.identity import ChildAlias
from casework.models.keys import PreviousCaseKey
from casework.models.missing import MissingEpisode
from casework.models.team import TeamMembership, TeamRole

# The field group of each record a case has only one of, for the survivor's history.
ONE_PER_CASE_GROUP = {
    "child": FieldGroup.IDENTITY,
    "age_assessment": FieldGroup.IDENTITY,
    "migration_status": FieldGroup.MIGRATION,
    "placement": FieldGroup.LOCATION,
}
MERGEABLE = (CaseStatus.IDENTIFIED, CaseStatus.OPEN, CaseStatus.ACTIVE, CaseStatus.REOPENED)


@dataclass(frozen=True)
class MergeProposal:
    """What the merge page shows a lead: the two references and who agreed to what."""

    case_id: uuid.UUID
    reference: str
    other_id: uuid.UUID
    other_reference: str
    we_agreed_survivor: uuid.UUID | None
    they_agreed_survivor: uuid.UUID | None
    # Who joins the team of this case if it goes on, and of the other if that one does.
    joining_here: tuple[str, ...] = ()
    joining_there: tuple[str, ...] = ()


def _link(session: Session, one: uuid.UUID, other: uuid.UUID) -> CaseLink | None:
    first, second = sorted((one, other))
    return session.scalar(
        select(CaseLink)
        .where(CaseLink.first_case_id == first, CaseLink.second_case_id == second)
        .with_for_update()
    )


def _as_lead(
    session: Session, caller: Caller, case_id: uuid.UUID, other_id: uuid.UUID
) -> tuple[Reach, CaseLink, Case]:
    """The caller's way in as lead of `case_id`, the link to `other_id` and the other
    case; a case not linked is answered like a missing one. All refusals are audited."""
    route = reach(session, caller, case_id, Permission.CASE_CLOSE)
    if route.via is not Via.LEAD:
        deny(session, caller, route.case)
        raise NotPermitted(Permission.CASE_CLOSE)
    link = _link(session, case_id, other_id) if case_id != other_id else None
    other = session.get(Case, other_id)
    if link is None or other is None:
        deny(session, caller, route.case)
        raise CaseNotFound(str(other_id))
    writable(route, session)
    if other.status not in MERGEABLE:
        session.rollback()
        raise WrongStatus(other.status)
    return route, link, other


def _agreements(session: Session, link: CaseLink) -> dict[uuid.UUID, MergeAgreement]:
    rows = session.scalars(select(MergeAgreement).where(MergeAgreement.link_id == link.id))
    return {a.case_id: a for a in rows}


def merge_proposal(
    session: Session, caller: Caller, case_id: uuid.UUID, other_id: uuid.UUID
) -> MergeProposal:
    route, link, other = _as_lead(session, caller, case_id, other_id)
    agreed = _agreements(session, link)
    mine, theirs = agreed.get(case_id), agreed.get(other_id)
    proposal = MergeProposal(
        case_id=case_id,
        reference=route.case.reference,
        other_id=other.id,
        other_reference=other.reference,
        we_agreed_survivor=mine.survivor_case_id if mine else None,
        they_agreed_survivor=theirs.survivor_case_id if theirs else None,
        joining_here=tuple(m.user.display_name for m in _joiners(session, case_id, other.id)),
        joining_there=tuple(m.user.display_name for m in _joiners(session, other.id, case_id)),
    )
    session.rollback()
    return proposal


def agree_to_merge(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    other_id: uuid.UUID,
    survivor_id: uuid.UUID,
) -> bool:
    """The lead of `case_id` agrees to merge it with `other_id`, `survivor_id` going on.
    True when this agreement completed the merge."""
    route, link, other = _as_lead(session, caller, case_id, other_id)
    if survivor_id not in (case_id, other_id):
        session.rollback()
        raise InvalidInput("survivor", _l("Choose one of the two cases."))
    merged_id = other_id if survivor_id == case_id else case_id
    with finishing(session):
        agreements = _agreements(session, link)
        mine = agreements.get(case_id)
        if mine is None:
            mine = MergeAgreement(link_id=link.id, case_id=case_id)
            session.add(mine)
        mine.survivor_case_id = survivor_id
        mine.merged_case_id = merged_id
        mine.agreed_by_id = caller.user.id
        mine.agreed_at = clock.utcnow()
        session.flush()
        for reference in (route.case.reference, other.reference):
            record(
                session,
                Action.MERGE_AGREE,
                caller.actor,
                case_ref=reference,
                context=caller.context,
            )
        theirs = agreements.get(other_id)
        both = (
            theirs is not None
            and theirs.survivor_case_id == survivor_id
            and _leads(session, theirs.agreed_by_id, other_id)
        )
        if both:
            survivor = route.case if survivor_id == case_id else other
            merged = other if survivor_id == case_id else route.case
            merge(session, caller, survivor, merged)
    return both


def _leads(session: Session, user_id: uuid.UUID, case_id: uuid.UUID) -> bool:
    membership = active_membership(session, case_id, user_id)
    return membership is not None and membership.role_in_team == TeamRole.LEAD


def merge(session: Session, caller: Caller, survivor: Case, merged: Case) -> None:
    """Move everything of `merged` into `survivor` (see the module's documentation); no
    commit. Both leads' agreement is checked by the caller of this function."""
    models = [m for m in encrypted_models(Base.registry) if m.model is not Case]
    survivor.data_key()  # unwrapped before anything moves: a bad key stops the merge here
    now = clock.utcnow()
    _one_open_episode(session, caller, survivor, merged)
    plan = [
        (model, row, _plain(row, model))
        for model in models
        for row in _rows(session, model, merged)
    ]
    groups: set[str] = set()
    for model, row, values in plan:
        table = model.model.__tablename__
        if table in ONE_PER_CASE_GROUP and _survivor_has(session, model, survivor):
            _keep_in_history(session, caller, survivor, merged, table, values)
            if isinstance(row, Child):
                _names_as_aliases(session, survivor, values)
            session.delete(row)
        else:
            _move(row, model, survivor, values)
        if isinstance(row, BreakGlassGrant):
            # Emergency access to the merged case ends; it never reaches the survivor.
            row.expires_at = min(row.expires_at, now)
        groups.add(str(ONE_PER_CASE_GROUP.get(table, FieldGroup.IDENTITY)))
    session.flush()
    _one_open_flag(session, caller, survivor, now)
    _join_teams(session, caller, survivor, merged)
    _relink(session, survivor, merged)
    session.add(
        CaseHistoryEntry(
            survivor,
            {"merged_case": merged.reference},
            changed_by=caller.user.username,
            field_group=FieldGroup.IDENTITY,
            change="merge",
        )
    )
    session.execute(delete(PreviousCaseKey).where(PreviousCaseKey.case_id == merged.id))
    session.execute(delete(BlindIndexEntry).where(BlindIndexEntry.case_id == merged.id))
    merged.wrapped_dek = KEY_DESTROYED
    merged.status = CaseStatus.MERGED
    session.add(CaseMerge(merged_case_id=merged.id, survivor_case_id=survivor.id))
    session.flush()
    for model in models:
        if _rows(session, model, merged):
            raise RuntimeError(f"{model.model.__tablename__} rows were left in the merged case")
    forget_case_secrets(session, merged.id)
    # One child, one statistical record: the survivor's counts the child from now on.
    statistics.forget(session, merged.id, delete_record=True)
    for case in (survivor, merged):
        record(
            session,
            Action.CASE_MERGE,
            caller.actor,
            case_ref=case.reference,
            field_groups=sorted(groups),
            context=caller.context,
        )


def _rows(session: Session, model: EncryptedModel, case: Case) -> list[Any]:
    column = getattr(model.model, model.case_column)
    return list(session.scalars(select(model.model).where(column == case.id)))


def _plain(row: Any, model: EncryptedModel) -> dict[str, Any]:
    """Every field's plain value. A field that does not decrypt stops the merge: it
    would be lost with the merged case's key."""
    try:
        return {f.name: getattr(row, f.name) for f in model.fields}
    except FieldIntegrityError:
        raise WrongStatus("damaged") from None


def _survivor_has(session: Session, model: EncryptedModel, survivor: Case) -> bool:
    column = getattr(model.model, model.case_column)
    return session.scalar(select(column).where(column == survivor.id).limit(1)) is not None


def _move(row: Any, model: EncryptedModel, survivor: Case, values: dict[str, Any]) -> None:
    """The row now belongs to the survivor: sealed again under its key, tokens renewed."""
    if hasattr(type(row), "case"):
        row.case = survivor
    setattr(row, model.case_column, survivor.id)
    for name, value in values.items():
        setattr(row, name, value)


def _keep_in_history(
    session: Session,
    caller: Caller,
    survivor: Case,
    merged: Case,
    table: str,
    values: dict[str, Any],
) -> None:
    session.add(
        CaseHistoryEntry(
            survivor,
            {"merged_case": merged.reference, "record": table, **values},
            changed_by=caller.user.username,
            field_group=ONE_PER_CASE_GROUP[table],
            change="merge",
        )
    )


def _names_as_aliases(session: Session, survivor: Case, values: dict[str, Any]) -> None:
    """The merged child's name, as an alias of the survivor's child unless it is one."""
    name = " ".join(str(values.get(n) or "") for n in ("given_name", "family_name")).strip()
    child = session.scalar(select(Child).where(Child.case_id == survivor.id))
    current = f"{child.given_name} {child.family_name}" if child is not None else ""
    aliases = list(session.scalars(select(ChildAlias).where(ChildAlias.case_id == survivor.id)))
    if not name or name == current or name in [a.name for a in aliases]:
        return
    position = max((a.position for a in aliases), default=-1) + 1
    session.add(ChildAlias(survivor, name=name, position=position))


def _one_open_episode(session: Session, caller: Caller, survivor: Case, merged: Case) -> None:
    """A case has one open missing episode at most. When the child is recorded missing in
    both cases, the episode that began first stays open (in the survivor, after the
    move); the other is kept in the survivor's history (change "merge") and removed."""
    both = [e for e in (open_episode(session, survivor.id), open_episode(session, merged.id)) if e]
    if len(both) < 2:
        return
    later = max(both, key=lambda e: (e.last_seen_at, e.recorded_at))
    values = _plain(
        later, next(m for m in encrypted_models(Base.registry) if m.model is MissingEpisode)
    )
    session.add(
        CaseHistoryEntry(
            survivor,
            {"merged_case": merged.reference, "record": "missing_episode", **values},
            changed_by=caller.user.username,
            field_group=MISSING_GROUP,
            change="merge",
        )
    )
    session.delete(later)
    session.flush()


def _one_open_flag(session: Session, caller: Caller, survivor: Case, now: datetime) -> None:
    """A flag only its rule raises and resolves (missing, no guardian) is open once: a
    second one the merged case brought is resolved at the merge, or its rule would never
    resolve it."""
    seen: set[str] = set()
    for flag in case_flags(session, survivor):
        if not flag.is_open or flag.kind not in AUTOMATIC_ONLY:
            continue
        if flag.kind in seen:
            flag.resolved_at = now
            flag.resolved_by_id = caller.user.id
        seen.add(flag.kind)


def _joiners(
    session: Session, survivor_id: uuid.UUID, merged_id: uuid.UUID
) -> list[TeamMembership]:
    """The memberships of the merged case whose people join the survivor's team: active
    and future ones, of people not on the survivor's team today."""
    day = clock.today()
    members = session.scalars(
        select(TeamMembership)
        .where(TeamMembership.case_id == merged_id)
        .order_by(TeamMembership.starts_on, TeamMembership.id)
    )
    joining: list[TeamMembership] = []
    for membership in members:
        if membership.ends_on is not None and membership.ends_on <= day:
            continue
        if active_membership(session, survivor_id, membership.user_id) is not None:
            continue
        joining.append(membership)
    return joining


def _join_teams(session: Session, caller: Caller, survivor: Case, merged: Case) -> None:
    """The merged case's active and future members join the survivor's team, as
    members, with their start and end dates as they are: a time-limited membership
    stays time-limited, one that has not begun begins when it would have. Each joining
    is a team change like any other: added by the lead whose agreement completed the
    merge, kept in the survivor's history, audited; the survivor's leads are notified
    and the person joining is told."""
    leads = case_leads(session, survivor.id)
    for membership in _joiners(session, survivor.id, merged.id):
        joined = TeamMembership(
            case_id=survivor.id,
            user_id=membership.user_id,
            organisation_id=membership.organisation_id,
            actor_type=membership.actor_type,
            role_in_team=TeamRole.MEMBER,
            starts_on=membership.starts_on,
            ends_on=membership.ends_on,
            added_by_id=caller.user.id,
            added_by_role=caller.role,
        )
        session.add(joined)
        member_history(session, survivor, caller.user.username, joined, membership.user)
        record(
            session,
            Action.TEAM_CHANGE,
            caller.actor,
            case_ref=survivor.reference,
            context=caller.context,
            subject=membership.user.username,
        )
        notify(session, CASE_HANDED.code, survivor, [membership.user_id], skip=caller.user.id)
        notify(session, MEMBER_ADDED.code, survivor, leads, skip=caller.user.id)


def _relink(session: Session, survivor: Case, merged: Case) -> None:
    """Links of the merged case to third cases now link the survivor; open items about
    the two cases are settled; agreements about other merges of it are void."""
    links = session.scalars(
        select(CaseLink).where(
            or_(CaseLink.first_case_id == merged.id, CaseLink.second_case_id == merged.id)
        )
    ).all()
    for link in links:
        third = link.other(merged.id)
        if third == survivor.id:
            continue
        session.execute(delete(MergeAgreement).where(MergeAgreement.link_id == link.id))
        if _link(session, survivor.id, third) is None:
            first, second = sorted((survivor.id, third))
            session.add(
                CaseLink(first_case_id=first, second_case_id=second, linked_by_id=link.linked_by_id)
            )
    session.execute(
        update(PossibleSameChild)
        .where(
            PossibleSameChild.state == SameChildState.OPEN,
            or_(
                (PossibleSameChild.new_case_id == merged.id)
                & (PossibleSameChild.existing_case_id == survivor.id),
                (PossibleSameChild.new_case_id == survivor.id)
                & (PossibleSameChild.existing_case_id == merged.id),
            ),
        )
        .values(state=SameChildState.LINKED, version=PossibleSameChild.version + 1)
    )
