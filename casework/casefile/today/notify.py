"""Notifications: a kind, a person and a case, written in the transaction of the change
that caused them, never with anything of the case's content.

Other areas add a kind once and notify from inside their own unit of work (as the
duplicate check does, samechild/duplicates.py):

    SAME_CHILD = register_kind("possible_same_child", _l("Possible same child"),
                               email_default=True)
    notify(work.session, SAME_CHILD.code, case, team_user_ids(session, case.id),
           key=f"{case.id}:{other.id}", skip=caller.user.id)

Each notification shows on the person's Today page (linking to the case) and in the
count on every page; when the person takes e-mail for the kind (their own choice, else
the kind's default) and has an address, a row in the mail outbox asks
`casework notifications send` for an e-mail that says only how many new items wait.
A `key` makes a notification idempotent: the same key notifies each person once.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask import has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.policy import Policy, current_policy, load_policy
from casework.models.case import Case
from casework.models.notification import (
    EmailChoice,
    Notification,
    NotificationSetting,
    OutboxMessage,
)
from casework.models.team import TeamMembership, TeamRole
from casework.models.user import User
from casework.settings import PROJECT_ROOT

KIND_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")


@dataclass(frozen=True)
class Kind:
    code: str
    # A lazy gettext string: the Today page and the settings page show it translated.
    label: Any
    email_default: bool = False


KINDS: dict[str, Kind] = {}


def register_kind(code: str, label: Any, *, email_default: bool = False) -> Kind:
    """Add (or replace) a kind of notification; returns it."""
    if not KIND_PATTERN.fullmatch(code):
        raise ValueError(f"a notification kind is a short code, not {code!r}")
    kind = Kind(code, label, email_default)
    KINDS[code] = kind
    return kind


CASE_HANDED = register_kind(
    "case_handed", _l("You were added to the team of a case"), email_default=True
)
MEMBER_ADDED = register_kind("member_added", _l("A new member joined a team you are on"))
FLAG_RAISED = register_kind("flag_raised", _l("A flag was raised on a case"))
REFERRAL_DECIDED = register_kind("referral_decided", _l("A referral was decided"))
BREAK_GLASS = register_kind(
    "break_glass", _l("Someone opened a case you lead through emergency access"), email_default=True
)
TASK_ASSIGNED = register_kind("task_assigned", _l("A task was given to you"))
REMINDER = register_kind("reminder", _l("A reminder rule created a task for you"))
CHILD_MISSING = register_kind(
    "child_missing", _l("A child was recorded missing"), email_default=True
)
CHILD_FOUND = register_kind("child_found", _l("A missing child was found"), email_default=True)
MEMBER_ROLE_CHANGED = register_kind(
    "member_role_changed",
    _l("An administrator changed the role of a member of a team you lead"),
    email_default=True,
)
MEMBER_PROFESSION_CHANGED = register_kind(
    "member_profession_changed",
    _l("An administrator changed the profession of a member of a team you lead"),
    email_default=True,
)
# A case opened elsewhere may be about the child of a case you lead, or a case opened in
# your region may be about a child another team knows (samechild/duplicates.py).
SAME_CHILD = register_kind("possible_same_child", _l("Possible same child"), email_default=True)


# What a notification announces, as the access policy's `sees_team` / `sees_flags` name
# it: a notification goes only to members whose role sees that part of the case.
SEES_TEAM = "sees_team"
SEES_FLAGS = "sees_flags"


def team_user_ids(
    session: Session, case_id: uuid.UUID, *, seeing: str | None = None
) -> list[uuid.UUID]:
    """Everyone on the case's team today; with `seeing` (SEES_TEAM, SEES_FLAGS), only
    those whose role sees that part of the case: an interpreter, who sees neither the
    team nor the flags, is not told that a member joined or that a flag was raised."""
    day = clock.today()
    rows = session.execute(
        select(TeamMembership, User.role)
        .join(User, User.id == TeamMembership.user_id)
        .where(TeamMembership.case_id == case_id)
    )
    policy = _policy()
    return list(
        dict.fromkeys(
            m.user_id
            for m, role in rows
            if m.is_active_on(day) and (seeing is None or getattr(policy.role(role), seeing))
        )
    )


def _policy() -> Policy:
    """The application's access policy; for a set-up task run outside an application
    (`membership.add_member` in a script), the policy Casework ships."""
    if has_app_context():
        return current_policy()
    return load_policy(PROJECT_ROOT / "config" / "access_policy.toml")


def case_leads(session: Session, case_id: uuid.UUID) -> list[uuid.UUID]:
    """Who leads the case today."""
    day = clock.today()
    members = session.scalars(
        select(TeamMembership).where(
            TeamMembership.case_id == case_id, TeamMembership.role_in_team == TeamRole.LEAD
        )
    )
    return list(dict.fromkeys(m.user_id for m in members if m.is_active_on(day)))


def wants_email(session: Session, user_id: uuid.UUID, kind: Kind) -> bool:
    """The person takes e-mail for `kind` and has an address to take it at."""
    setting = session.get(NotificationSetting, user_id)
    if setting is None or not setting.email_address:
        return False
    choice = session.get(EmailChoice, (user_id, kind.code))
    return kind.email_default if choice is None else choice.by_email


def _key(kind: str, key: str, user_id: uuid.UUID) -> str:
    return hashlib.sha256(f"{kind}|{key}|{user_id}".encode()).hexdigest()


def notify(
    session: Session,
    kind: str,
    case: Case | None,
    users: Iterable[uuid.UUID],
    *,
    key: str | None = None,
    skip: uuid.UUID | None = None,
) -> int:
    """Notify each of `users` (but `skip`, usually the person acting) of `kind` about
    `case`, in the caller's transaction (not committed). Returns how many were new."""
    found = KINDS.get(kind)
    if found is None:
        raise ValueError(f"unknown notification kind {kind!r}")
    count = 0
    for user_id in dict.fromkeys(users):
        if user_id == skip:
            continue
        row_key = _key(kind, key, user_id) if key is not None else None
        if row_key is not None and session.scalar(
            select(Notification.id).where(Notification.key == row_key)
        ):
            continue
        note = Notification(
            user_id=user_id, kind=kind, case_id=case.id if case else None, key=row_key
        )
        session.add(note)
        if wants_email(session, user_id, found):
            session.add(OutboxMessage(user_id=user_id, notification_id=note.id))
        count += 1
    return count
