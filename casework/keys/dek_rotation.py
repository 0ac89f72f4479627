"""Data-key (DEK) rotation: give a case a new data key and re-encrypt every encrypted
field of every row of the case, in any model, under it.

Per case, in three steps, each committed:
1. swap: a new DEK becomes current (compare-and-set on the wrapped key it read, so an
   erasure meanwhile wins); the old one is kept in previous_case_key; audited;
2. re-encrypt: rows in batches, while the old key still opens what is not done yet;
3. drop: a last pass re-encrypts what a concurrent writer may have added under the old
   key, and the old key is deleted.

Interrupted anywhere, running again finishes the job: a case that still has a previous
key is resumed at step 2, never given yet another key. `--all` also keeps a cursor in
key_rotation_run, so that a resumed run does not rotate cases it has done already.
"""

from __future__ import annotations

import functools
import logging
import uuid
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import CursorResult, delete, inspect, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from casework.audit.events import Action, Actor, record
from casework.crypto.aead import FieldIntegrityError
from casework.crypto.keyring import Keyring
from casework.crypto.registry import EncryptedModel
from casework.keys.rotation import EVERYTHING, Batches, finish_run, start_run
from casework.models.case import KEY_DESTROYED, Case, has_data_key
from casework.models.case_keys import forget_other_data_keys
from casework.models.keys import KeyRotationRun, PreviousCaseKey

log = logging.getLogger(__name__)
RETRIES = 3
T = TypeVar("T")


class RotationConflict(RuntimeError):
    """The case's key changed while it was being rotated (erased, or rotated elsewhere)."""


def rotate_case(
    session: Session, keyring: Keyring, case: Case, batches: Batches = EVERYTHING
) -> bool:
    """Rotate one case's data key, or finish an interrupted rotation of it.

    Returns True when a new key was made, False when an earlier one was finished."""
    case_id = case.id
    fresh = not _has_previous_key(session, [case_id])
    if fresh:
        _swap_key(session, keyring, case, batches.actor)
        session.commit()
    _finish(session, [case_id], batches.encrypted_models(), batches.size)
    return fresh


def rotate_all(session: Session, keyring: Keyring, batches: Batches = EVERYTHING) -> int:
    """Rotate every case's data key, batch by batch; resumes an unfinished run."""
    models = batches.encrypted_models()
    run = start_run(session, "dek", "all", batches.actor)
    while True:
        query = select(Case).where(has_data_key()).order_by(Case.id)
        if run.cursor:
            query = query.where(Case.id > uuid.UUID(run.cursor))
        cases = session.scalars(query.limit(batches.size)).all()
        if not cases:
            break
        ids = [c.id for c in cases]
        resumed = _has_previous_key(session, ids)
        for case in cases:
            if case.id not in resumed:
                _swap_or_skip(session, keyring, case, batches.actor)
        session.commit()
        _finish(session, ids, models, batches.size)
        run.cursor, run.done = str(ids[-1]), run.done + len(ids)
        session.commit()
        run_id = run.id
        session.expunge_all()  # bounded memory over 100,000s of cases
        run = session.get_one(KeyRotationRun, run_id)
        batches.done(len(ids))
    finish_run(session, run, batches.actor)
    return run.done


def _has_previous_key(session: Session, case_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    return set(
        session.scalars(
            select(PreviousCaseKey.case_id).where(PreviousCaseKey.case_id.in_(case_ids))
        )
    )


def _swap_or_skip(session: Session, keyring: Keyring, case: Case, actor: Actor) -> None:
    """Swap the key, unless the case was erased or rotated since it was read: the failed
    compare-and-set changed nothing, so the rest of the batch goes on."""
    try:
        _swap_key(session, keyring, case, actor)
    except RotationConflict as exc:
        log.warning("skipped: %s", exc)


def _swap_key(session: Session, keyring: Keyring, case: Case, actor: Actor) -> None:
    old_wrapped, old_version = case.wrapped_dek, case.dek_version
    if old_wrapped == KEY_DESTROYED:
        raise RotationConflict(f"case {case.reference} is erased")
    new_version = old_version + 1
    new_wrapped = keyring.wrap(keyring.new_data_key(), str(case.id), new_version)
    result: CursorResult[Any] = session.execute(  # type: ignore[assignment]
        update(Case)
        .where(
            Case.id == case.id,
            Case.wrapped_dek == old_wrapped,
            Case.dek_version == old_version,
        )
        .values(wrapped_dek=new_wrapped, dek_version=new_version, updated_at=Case.updated_at)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise RotationConflict(f"the key of case {case.reference} changed meanwhile")
    session.add(PreviousCaseKey(case_id=case.id, dek_version=old_version, wrapped_dek=old_wrapped))
    record(session, Action.KEY_ROTATE, actor, case_ref=case.reference)
    session.expire(case, ["wrapped_dek", "dek_version"])


def _finish(
    session: Session, case_ids: list[uuid.UUID], models: Sequence[EncryptedModel], batch: int
) -> None:
    for model in models:
        _retrying(session, functools.partial(_reencrypt_model, session, model, case_ids, batch))
    # The last pass and the delete share a transaction: nothing is left under the old key.
    for model in models:
        _reencrypt_model(session, model, case_ids, batch, commit=False)
    session.execute(delete(PreviousCaseKey).where(PreviousCaseKey.case_id.in_(case_ids)))
    session.commit()
    forget_other_data_keys(session)


def _reencrypt_model(
    session: Session,
    model: EncryptedModel,
    case_ids: list[uuid.UUID],
    batch: int,
    commit: bool = True,
) -> int:
    """Re-encrypt, batch by batch, every field of `model` still under an older key."""
    owner = getattr(model.model, model.case_column)
    key = inspect(model.model).primary_key[0]
    changed, last = 0, None
    while True:
        query = select(model.model).where(owner.in_(case_ids)).order_by(key)
        # Fresh from the database: a writer may have changed rows since they were loaded.
        query = query.execution_options(populate_existing=True)
        if last is not None:
            query = query.where(key > last)
        rows = session.scalars(query.limit(batch)).all()
        if not rows:
            return changed
        changed += sum(_reencrypt_row(row, model) for row in rows)
        last = getattr(rows[-1], key.key)
        if commit:
            session.commit()
        else:
            session.flush()


def _reencrypt_row(row: Any, model: EncryptedModel) -> int:
    changed = 0
    for field in model.fields:
        try:
            changed += field.reencrypt(row)
        except FieldIntegrityError:
            # Unreadable before the rotation (tampered or moved): it stays unreadable.
            log.warning("left %s.%s of row %s as it was", model.model.__name__, field.name, row.id)
    return changed


def _retrying(session: Session, step: Callable[[], T]) -> T:
    """Run a step again when a user's change to the same rows won the race."""
    attempt = 1
    while True:
        try:
            return step()
        except StaleDataError:
            session.rollback()
            if attempt >= RETRIES:
                raise
            attempt += 1
