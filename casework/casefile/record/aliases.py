"""The other names a child uses or was given: one row each, in the order entered."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.errors import InvalidInput
from casework.models.case import Case
from casework.models.identity import ChildAlias

ALIASES_MAX = 20


def alias_rows(session: Session, case: Case) -> list[ChildAlias]:
    return list(
        session.scalars(
            select(ChildAlias).where(ChildAlias.case_id == case.id).order_by(ChildAlias.position)
        )
    )


def alias_names(session: Session, case: Case) -> list[str]:
    return [row.name for row in alias_rows(session, case)]


def replace_aliases(session: Session, case: Case, names: list[str]) -> None:
    if len(names) > ALIASES_MAX:
        raise InvalidInput("aliases", _l("Record at most %(max)d other names.", max=ALIASES_MAX))
    for row in alias_rows(session, case):
        session.delete(row)
    for position, name in enumerate(names):
        session.add(ChildAlias(case, name=name, position=position))
