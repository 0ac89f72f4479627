"""Saving one record of a case through the unit of work: create it, or change it
unless someone else saved first; the values before go to the history."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.access.caller import Caller
from casework.access.errors import RecordNotFound
from casework.access.guard import deny
from casework.access.permissions import FieldGroup
from casework.casefile.work import Work, changing
from casework.models.case import Case


class Editable(Protocol):
    id: Any
    case_id: Any
    version: int


R = TypeVar("R", bound=Editable)
AfterSave = Callable[[Work], None]


@dataclass(frozen=True)
class Save(Generic[R]):
    """What to save. `find` picks the existing record (None: always a new one); with
    `must_exist` a missing record is refused instead of created."""

    group: FieldGroup
    model: type[R]
    values: Mapping[str, Any]
    expected_version: int | None = None
    find: Mapping[str, Any] | None = None
    must_exist: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)


def by_id(record_id: uuid.UUID | None) -> dict[str, Any]:
    """Save arguments for the record `record_id` (refused if missing), or a new one."""
    if record_id is None:
        return {}
    return {"find": {"id": record_id}, "must_exist": True}


def normalise(values: Mapping[str, Any]) -> dict[str, Any]:
    """Tuples become lists, so stored and posted values compare equal."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items()}


def find_record(session: Session, caller: Caller, case: Case, save: Save[R]) -> R | None:
    if save.find is None:
        return None
    model: Any = save.model
    query = select(model).where(model.case_id == case.id)
    for name, value in save.find.items():
        query = query.where(getattr(model, name) == value)
    found: R | None = session.scalars(query).first()
    if found is None and save.must_exist:
        deny(session, caller, case, [save.group])
        raise RecordNotFound(str(save.find))
    return found


def save_record(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    save: Save[R],
    after: AfterSave | None = None,
    before: AfterSave | None = None,
) -> uuid.UUID:
    """Create or change one record; returns its id. Raises StaleEdit, NotPermitted,
    CaseClosed or RecordNotFound and then writes nothing (denials are audited).
    `before` checks the case further before anything changes; `after` applies the
    case's rules (automatic flags) to the change."""
    with changing(session, caller, case_id, save.group) as work:
        if before is not None:
            before(work)
        record_id = _apply(work, save)
        if work.changed and after is not None:
            session.flush()
            after(work)
    return record_id


def _apply(work: Work, save: Save[R]) -> uuid.UUID:
    values = normalise(save.values)
    existing = find_record(work.session, work.caller, work.case, save)
    model: Any = save.model
    if existing is None:
        if save.expected_version is not None:
            work.check_version(0, save.expected_version)  # it was removed meanwhile
        created: R = model(work.case, **save.extra, **values)
        work.session.add(created)
        work.history(save.group, {"record": model.__tablename__}, "create", values)
        return uuid.UUID(str(created.id))
    work.check_version(existing.version, save.expected_version)
    previous = {name: getattr(existing, name) for name in values}
    if normalise(previous) == values:
        work.unchanged()
    else:
        work.history(save.group, previous, current=values)
        for name, value in values.items():
            setattr(existing, name, value)
    return uuid.UUID(str(existing.id))
