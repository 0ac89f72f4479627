"""Changing a case: only field groups the role may write, never over someone else's edit."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from casework.access.caller import Caller
from casework.access.errors import InvalidInput
from casework.access.permissions import FieldGroup
from casework.casefile.record.aliases import alias_names, replace_aliases
from casework.casefile.work import changing
from casework.codes import CodeList, is_code, is_nationality


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
        if not is_code(CodeList.SEX, self.sex):
            raise InvalidInput("sex", _l("Choose one; “Not known” is a valid answer."))
        if not all(is_nationality(c) for c in self.nationalities) or not all(
            is_code(CodeList.LANGUAGE, c) for c in self.languages
        ):
            raise InvalidInput("", _l("Choose each value from its list."))


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
    change.check()
    with changing(session, caller, case_id, FieldGroup.IDENTITY) as work:
        case = work.case
        child = case.child
        work.check_version(child.version, expected_version)
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
            work.unchanged()
            return
        work.history(FieldGroup.IDENTITY, previous, current=wanted)
        replace_aliases(session, case, wanted.pop("aliases"))
        for name, value in wanted.items():
            setattr(child, name, value)
        # Aliases live in their own rows: make sure the child's version moves on regardless.
        flag_modified(child, "given_name_enc")
