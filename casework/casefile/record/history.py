"""Reading a case's history: every change, with the values before and after for those
who may read the group they belong to.

Field groups follow the policy (read level or above). Clinical notes are for health
members of the team. Non-punishment values of another organisation's entry are for
prosecutors only, as on the case page. What is not a field group (the team, flags,
the case's status, referral outcomes) is seen by every member.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.caller import Caller
from casework.access.permissions import FieldGroup, Permission
from casework.access.policy import AccessLevel, current_policy
from casework.access.reach import Reach
from casework.casefile.record.readouts import HistoryReadout
from casework.models.history import CaseHistoryEntry
from casework.models.user import User

# Keys that say what changed, not a value of it: kept, never shown as a value.
RECORD_KEY = "record"
ORGANISATION_KEY = "organisation"
HIDDEN = frozenset({RECORD_KEY, ORGANISATION_KEY})
# Tasks are for the team: break-glass readers see that one changed, not its values.
TASK_GROUP = "tasks"
# Where a missing child was last seen and found, and the police reference, are for
# readers of the location, as on the case page.
MISSING_GROUP = "missing"


class _Reader:
    """Whether the caller may read the values of one history entry."""

    def __init__(self, session: Session, route: Reach, caller: Caller) -> None:
        policy = current_policy()
        self.caller = caller
        self.levels = {g: policy.level(caller.role, g) for g in FieldGroup}
        self.decides = policy.allows(caller.role, Permission.NONPUNISHMENT_DECIDE)
        # The reach read the caller's active membership already (none through break-glass).
        membership = None if route.read_only else route.membership
        self.health = membership is not None and membership.opens_clinical_notes()
        self.on_team = not route.read_only

    def sees(self, group: str) -> bool:
        """Whether the entry shows at all: that clinical notes exist is itself for
        those whose role has the health group (summary shows that notes exist); that
        non-punishment was decided or corrected, and when, is for summary and above."""
        if group == FieldGroup.NON_PUNISHMENT:
            return self.levels[FieldGroup.NON_PUNISHMENT] >= AccessLevel.SUMMARY
        if group != FieldGroup.HEALTH:
            return True
        return self.health or self.levels[FieldGroup.HEALTH] > AccessLevel.NONE

    def reads(self, group: str, values: Mapping[str, Any]) -> bool:
        if group == TASK_GROUP:
            return self.on_team
        if group == MISSING_GROUP:
            return self.levels[FieldGroup.LOCATION] >= AccessLevel.READ
        if group not in FieldGroup._value2member_map_:
            return True
        if group == FieldGroup.HEALTH:
            return self.health
        if self.levels[FieldGroup(group)] < AccessLevel.READ:
            return False
        if group == FieldGroup.NON_PUNISHMENT and not self.decides:
            own = str(self.caller.user.organisation_id)
            return bool(values.get(ORGANISATION_KEY, own) == own)
        return True


def _shown(values: Mapping[str, Any] | None) -> tuple[tuple[str, Any], ...] | None:
    if values is None:
        return None
    return tuple(sorted((k, v) for k, v in values.items() if k not in HIDDEN))


def display_names(session: Session, usernames: set[str]) -> dict[str, str]:
    if not usernames:
        return {}
    rows = session.execute(
        select(User.username, User.display_name).where(User.username.in_(usernames))
    )
    return {str(username): str(name) for username, name in rows}


def history_readouts(session: Session, route: Reach, caller: Caller) -> tuple[HistoryReadout, ...]:
    """Every change, newest first, under the display name of who made it."""
    entries = list(
        session.scalars(
            select(CaseHistoryEntry)
            .where(CaseHistoryEntry.case_id == route.case.id)
            .order_by(CaseHistoryEntry.changed_at.desc())
        )
    )
    reader = _Reader(session, route, caller)
    names = display_names(session, {e.changed_by for e in entries})
    readouts = []
    for entry in entries:
        if not reader.sees(entry.field_group):
            continue
        previous = entry.previous
        current = entry.current if entry.current_enc is not None else None
        readable = reader.reads(entry.field_group, {**(current or {}), **previous})
        readouts.append(
            HistoryReadout(
                changed_at=entry.changed_at,
                changed_by=names.get(entry.changed_by, entry.changed_by),
                group=entry.field_group,
                change=entry.change,
                previous=_shown(previous) if readable else None,
                current=_shown(current) if readable else None,
                record=previous.get(RECORD_KEY),
            )
        )
    return tuple(readouts)
