"""Rebuilding the blind index from the encrypted values: after upgrading a database whose
cases predate the index (migration 0003), or to repair it. Idempotent; audited as a
key operation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from casework.audit.events import Actor
from casework.crypto.aead import FieldIntegrityError
from casework.crypto.registry import EncryptedModel, encrypted_models
from casework.crypto.rotation import DEFAULT_BATCH, OPERATOR, Progress, finish_run, start_run
from casework.models.blind_index import replace_tokens


def reindex(
    session: Session,
    *,
    actor: Actor = OPERATOR,
    models: Sequence[EncryptedModel] | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
) -> int:
    """Recompute the tokens of every indexed field of every row; the number of rows."""
    models = encrypted_models() if models is None else models
    run = start_run(session, "reindex", "all", actor)
    run_id, done = run.id, 0
    for model in models:
        indexed = [f for f in model.fields if f.blind_index is not None]
        if indexed:
            done += _reindex_model(session, model, [f.name for f in indexed], batch_size, progress)
    run = session.get_one(type(run), run_id)
    run.done = done
    finish_run(session, run, actor)
    return done


def _reindex_model(
    session: Session,
    model: EncryptedModel,
    names: list[str],
    batch_size: int,
    progress: Progress | None,
) -> int:
    key = inspect(model.model).primary_key[0]
    done, last = 0, None
    while True:
        query = select(model.model).order_by(key).limit(batch_size)
        rows = session.scalars(query if last is None else query.where(key > last)).all()
        if not rows:
            return done
        replace_tokens(session.connection(), [(row, _values(row, names)) for row in rows])
        last, done = getattr(rows[-1], key.key), done + len(rows)
        session.commit()
        session.expunge_all()
        if progress is not None:
            progress(len(rows))


def _values(row: Any, names: list[str]) -> dict[str, Any]:
    """Plain values; an unreadable or erased one gets no tokens."""
    values: dict[str, Any] = {}
    for name in names:
        try:
            values[name] = getattr(row, name)
        except FieldIntegrityError:
            values[name] = None
    return values
