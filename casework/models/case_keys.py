"""A case's data keys of versions other than the one its loaded row names, and
forgetting a case's keys and plain values held in memory.

Two moments need an older or newer key: while `casework keys rotate-dek` re-encrypts a
case, rows still sealed under the previous key are opened with the copy kept in
previous_case_key; and when a rotation commits between loading a case and loading one
of its rows, the row names a newer key than the loaded case, which is read fresh from
the database. `Case.data_key(version)` asks `other_data_key` for both.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.crypto.aead import FieldIntegrityError
from casework.crypto.fields import PLAIN_CACHE, encrypted_fields, owning_case_id
from casework.crypto.keyring import current_keyring
from casework.models.keys import PreviousCaseKey

_CACHE = "casework.other_data_keys"


def other_data_key(
    session: Session | None, case_id: uuid.UUID, version: int, current: Any
) -> bytes:
    """The data key of `version` for the case: a previous key a rotation keeps, or the
    case's current key if it is `version` (a rotation committed since it was loaded).
    `current` is a select of the case's (wrapped_dek, dek_version)."""
    if session is None:
        raise FieldIntegrityError(f"data key version {version} needs a database session")
    cache: dict[tuple[uuid.UUID, int], bytes] = session.info.setdefault(_CACHE, {})
    key = cache.get((case_id, version))
    if key is None:
        key = _load(session, case_id, version, current)
        cache[(case_id, version)] = key
    return key


def _load(session: Session, case_id: uuid.UUID, version: int, current: Any) -> bytes:
    wrapped = session.scalar(
        select(PreviousCaseKey.wrapped_dek).where(
            PreviousCaseKey.case_id == case_id, PreviousCaseKey.dek_version == version
        )
    )
    if wrapped is None:
        fresh = session.execute(current).one_or_none()
        if fresh is not None and fresh[1] == version and fresh[0]:
            wrapped = fresh[0]
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
