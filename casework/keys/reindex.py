"""Rebuilding the blind index from the encrypted values: after upgrading a database whose
cases predate the index (migration 0003), or to repair it. Idempotent; audited as a
key operation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from casework.crypto.aead import FieldIntegrityError
from casework.crypto.registry import EncryptedModel
from casework.keys.rotation import EVERYTHING, Batches, finish_run, start_run
from casework.models.blind_index import replace_tokens


def reindex(session: Session, batches: Batches = EVERYTHING) -> int:
    """Recompute the tokens of every indexed field of every row; the number of rows."""
    run = start_run(session, "reindex", "all", batches.actor)
    run_id, done = run.id, 0
    for model in batches.encrypted_models():
        indexed = [f.name for f in model.fields if f.blind_index is not None]
        if indexed:
            done += _reindex_model(session, model, indexed, batches)
    run = session.get_one(type(run), run_id)
    run.done = done
    finish_run(session, run, batches.actor)
    return done


def _reindex_model(
    session: Session, model: EncryptedModel, names: list[str], batches: Batches
) -> int:
    key = inspect(model.model).primary_key[0]
    done, last = 0, None
    while True:
        query = select(model.model).order_by(key).limit(batches.size)
        rows = session.scalars(query if last is None else query.where(key > last)).all()
        if not rows:
            return done
        replace_tokens(session.connection(), [(row, _values(row, names)) for row in rows])
        last, done = getattr(rows[-1], key.key), done + len(rows)
        session.commit()
        session.expunge_all()
        batches.done(len(rows))


def _values(row: Any, names: list[str]) -> dict[str, Any]:
    """Plain values; an unreadable or erased one gets no tokens."""
    values: dict[str, Any] = {}
    for name in names:
        try:
            values[name] = getattr(row, name)
        except FieldIntegrityError:
            values[name] = None
    return values
