"""Changing a case: only field groups the role may write, never over someone else's edit."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from casework.access.caller import Caller
from casework.access.errors import CaseClosed, NotPermitted
from casework.access.guard import deny
from casework.access.permissions import FieldGroup, Permission
from casework.access.policy import AccessLevel, current_policy
from casework.access.reach import reach
from casework.casefile.record.aliases import alias_names, replace_aliases
from casework.casefile.saving import add_history, audit_change, check_version, commit
from casework.codes import CodeList, is_code, is_nationality
from casework.models.case import Case, CaseStatus


@dataclass(frozen=True)
class IdentityChange:
    given_name: str
    family_name: str
    date_of_birth: date | None
    sex: str
    aliases: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()

    def check(self) -> None:
        """Refuse codes outside the coded lists (the form refuses them first)."""
        if not all(is_nationality(c) for c in self.nationalities) or not all(
            is_code(CodeList.LANGUAGE, c) for c in self.languages
        ):
            raise ValueError("unknown code")


def ensure_may_write(
    session: Session, caller: Caller, case_id: uuid.UUID, group: FieldGroup
) -> Case:
    """The case, unless the caller may not change `group` of it; denials are audited.

    A closed case changes in nothing until it is reopened.
    """
    route = reach(session, caller, case_id, Permission.CASE_UPDATE)
    if current_policy().level(caller.role, group) != AccessLevel.WRITE:
        deny(session, caller, route.case, [group])
        raise NotPermitted(group)
    if route.case.status == CaseStatus.CLOSED:
        session.rollback()
        raise CaseClosed(route.case.reference)
    return route.case


def update_identity(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    change: IdentityChange,
    expected_version: int,
) -> None:
    """Correct the child's identity, keeping the previous values in the history.

    `expected_version` is the version the caller's form was based on; if someone saved
    in between, StaleEdit is raised and nothing is written.
    """
    case = ensure_may_write(session, caller, case_id, FieldGroup.IDENTITY)
    change.check()
    child = case.child
    check_version(session, child.version, expected_version)
    previous = {
        "given_name": child.given_name,
        "family_name": child.family_name,
        "date_of_birth": child.date_of_birth,
        "sex": child.sex,
        "aliases": alias_names(session, case),
        "nationalities": child.nationalities or [],
        "languages": child.languages or [],
    }
    wanted = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(change).items()}
    if previous == wanted:
        session.rollback()
        return
    add_history(session, caller, case, FieldGroup.IDENTITY, previous)
    replace_aliases(session, case, wanted.pop("aliases"))
    for name, value in wanted.items():
        setattr(child, name, value)
    # Aliases live in their own rows: make sure the child's version moves on regardless.
    flag_modified(child, "given_name_enc")
    audit_change(session, caller, case, FieldGroup.IDENTITY)
    commit(session)
