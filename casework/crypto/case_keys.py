"""Finding a case's data key of a version other than the one its loaded row names.

Two moments need it: while `casework keys rotate-dek` re-encrypts a case, rows still
sealed under the previous key are opened with the copy kept in previous_case_key;
and when a rotation commits between loading a case and loading one of its rows, the
row names a newer key than the loaded case, which is read fresh from the database.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from casework.crypto.aead import FieldIntegrityError
from casework.crypto.fields import PLAIN_CACHE, case_column, encrypted_fields
from casework.crypto.keyring import current_keyring

_CACHE = "casework.other_data_keys"


def owning_case_id(obj: Any) -> uuid.UUID:
    case_id = getattr(obj, case_column(type(obj)), None)
    if case_id is None:
        raise FieldIntegrityError(f"{type(obj).__name__} row {obj.id} names no case")
    return uuid.UUID(str(case_id))


def other_data_key(obj: Any, version: int) -> bytes:
    session = object_session(obj)
    if session is None:
        raise FieldIntegrityError(f"data key version {version} needs a database session")
    case_id = owning_case_id(obj)
    cache: dict[tuple[uuid.UUID, int], bytes] = session.info.setdefault(_CACHE, {})
    key = cache.get((case_id, version))
    if key is None:
        key = _load(session, case_id, version)
        cache[(case_id, version)] = key
    return key


def _load(session: Session, case_id: uuid.UUID, version: int) -> bytes:
    from casework.models.case import Case
    from casework.models.keys import PreviousCaseKey

    wrapped = session.scalar(
        select(PreviousCaseKey.wrapped_dek).where(
            PreviousCaseKey.case_id == case_id, PreviousCaseKey.dek_version == version
        )
    )
    if wrapped is None:
        fresh = session.execute(
            select(Case.wrapped_dek, Case.dek_version).where(Case.id == case_id)
        ).one_or_none()
        if fresh is not None and fresh.dek_version == version and fresh.wrapped_dek:
            wrapped = fresh.wrapped_dek
    if wrapped is None:
        raise FieldIntegrityError(f"case {case_id} has no data key version {version}")
    return current_keyring().unwrap(wrapped, str(case_id), version)


def forget_other_data_keys(session: Session) -> None:
    """Drop cached older keys, e.g. after a rotation or an erasure committed."""
    session.info.pop(_CACHE, None)


def forget_case_secrets(session: Session, case_id: uuid.UUID) -> None:
    """Drop every key and plain value of the case that objects in this session still
    hold in memory: after an erasure, nothing of the case may be read, even here."""
    forget_other_data_keys(session)
    for obj in list(session.identity_map.values()):
        mine = getattr(obj, "id", None) == case_id and hasattr(obj, "wrapped_dek")
        if mine or (encrypted_fields(type(obj)) and _owner(obj) == case_id):
            for name in (PLAIN_CACHE, "_dek", "_dek_of"):
                obj.__dict__.pop(name, None)


def _owner(obj: Any) -> uuid.UUID | None:
    try:
        return owning_case_id(obj)
    except FieldIntegrityError:
        return None
