"""KEK rotation: rewrap every case's data key (and the blind-index key) under the
current KEK, without touching field data.

How a rotation goes (docs/encryption.md has the operator's steps): the new key is set
as CASEWORK_KEK(_FILE) and the old one as CASEWORK_KEK_PREVIOUS(_FILE); app servers
restarted with both keep reading everything, since a wrapped key's header names its KEK
version. `casework keys rotate-kek` then rewraps in batches, each committed alone, and
retires the old version once a full pass finds nothing left under it.

Interrupted, it is simply run again: what is rewrapped already is skipped by its
header. Each rewrap is a compare-and-set on the wrapped key it read, so an erasure that
destroys a key meanwhile is never undone by writing the rewrapped key back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, inspect, select, update
from sqlalchemy.orm import Session, registry

from casework.audit.events import Action, Actor, RequestContext, record
from casework.clock import utcnow
from casework.crypto.aead import key_version_of
from casework.crypto.keyring import Keyring
from casework.crypto.registry import (
    EncryptedModel,
    KekSealedColumn,
    encrypted_models,
    kek_sealed_columns,
)
from casework.models.base import Base
from casework.models.case import Case, has_data_key
from casework.models.keys import IndexKey, KekVersion, KeyRotationRun, PreviousCaseKey

OPERATOR = Actor(username="cli")
DEFAULT_BATCH = 500
MAX_PASSES = 5

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Batches:
    """How a bulk key operation runs: who the audit log names, how many cases or rows
    each transaction takes, whom to tell about progress, and which mapper registries'
    models it covers (none given: the app's)."""

    actor: Actor = OPERATOR
    size: int = DEFAULT_BATCH
    progress: Progress | None = None
    registries: tuple[registry, ...] = ()

    def encrypted_models(self) -> Sequence[EncryptedModel]:
        return encrypted_models(*(self.registries or (Base.registry,)))

    def kek_sealed_columns(self) -> Sequence[KekSealedColumn]:
        return kek_sealed_columns(*(self.registries or (Base.registry,)))

    def done(self, count: int) -> None:
        if self.progress is not None:
            self.progress(count)


EVERYTHING = Batches()


def _table(model: type[Any]) -> Table:
    return cast(Table, model.__table__)


def start_run(session: Session, kind: str, scope: str, actor: Actor) -> KeyRotationRun:
    """The unfinished run of this kind and scope, or a new one; audited either way."""
    run = session.scalar(
        select(KeyRotationRun).where(
            KeyRotationRun.kind == kind,
            KeyRotationRun.scope == scope,
            KeyRotationRun.finished_at.is_(None),
        )
    )
    if run is None:
        run = KeyRotationRun(kind=kind, scope=scope, cursor="", done=0)
        session.add(run)
        session.flush()
    record(session, Action.KEY_ROTATE, actor, context=run_context(run))
    session.commit()
    return run


def finish_run(session: Session, run: KeyRotationRun, actor: Actor) -> None:
    run.finished_at = utcnow()
    record(session, Action.KEY_ROTATE, actor, context=run_context(run))
    session.commit()


def run_context(run: KeyRotationRun) -> RequestContext:
    """Ties a run's audit events together (the log has no free-text detail, by design)."""
    return RequestContext(request_id=f"key-rotation-{run.id}-{run.kind}-{run.scope}")


@dataclass(frozen=True)
class KekReport:
    version: int
    rewrapped: int
    retired: tuple[int, ...]


def rotate_kek(session: Session, keyring: Keyring, batches: Batches = EVERYTHING) -> KekReport:
    """Rewrap every wrapped key under the current KEK; retire the versions left empty."""
    run = start_run(session, "kek", f"v{keyring.kek_version}", batches.actor)
    rewrapped = _rewrap_index_keys(session, keyring)
    for _ in range(MAX_PASSES):
        changed = _rewrap_pass(session, keyring, run, batches)
        rewrapped += changed
        if changed == 0:
            break
    else:
        raise RuntimeError("keys kept appearing under old versions: is an old server running?")
    retired = _retire_old_versions(session, keyring.kek_version)
    finish_run(session, run, batches.actor)
    return KekReport(keyring.kek_version, rewrapped, retired)


def _rewrap_pass(session: Session, keyring: Keyring, run: KeyRotationRun, batches: Batches) -> int:
    """One pass over everything the KEK wraps; how many keys it rewrapped."""
    changed = _rewrap_case_keys(session, keyring, run, batches)
    changed += _rewrap_previous_keys(session, keyring)
    for sealed in batches.kek_sealed_columns():
        changed += _rewrap_secrets(session, keyring, sealed, batches.size)
    return changed


def _rewrap_case_keys(
    session: Session, keyring: Keyring, run: KeyRotationRun, batches: Batches
) -> int:
    table, changed, last = _table(Case), 0, None
    cas = (
        update(table)
        .where(table.c.id == bindparam("b_id"), table.c.wrapped_dek == bindparam("b_old"))
        .values(wrapped_dek=bindparam("b_new"), updated_at=table.c.updated_at)
    )
    while True:
        query = select(table.c.id, table.c.wrapped_dek, table.c.dek_version)
        query = query.where(has_data_key()).order_by(table.c.id)
        if last is not None:
            query = query.where(table.c.id > last)
        rows = session.execute(query.limit(batches.size)).all()
        if not rows:
            return changed
        params = [
            {"b_id": r.id, "b_old": r.wrapped_dek, "b_new": new}
            for r, new in _rewrapped(keyring, rows, case_of=lambda r: r.id)
        ]
        if params:
            session.execute(cas, params)
        last, changed = rows[-1].id, changed + len(params)
        run.cursor, run.done = str(last), run.done + len(params)
        session.commit()
        batches.done(len(rows))


def _rewrapped(
    keyring: Keyring, rows: Sequence[Any], case_of: Callable[[Any], Any]
) -> list[tuple[Any, bytes]]:
    """(row, its data key rewrapped under the current KEK) for rows under another one."""
    return [
        (r, keyring.rewrap(r.wrapped_dek, str(case_of(r)), r.dek_version))
        for r in rows
        if key_version_of(r.wrapped_dek) != keyring.kek_version
    ]


def _rewrap_previous_keys(session: Session, keyring: Keyring) -> int:
    """Keys of cases in the middle of a data-key rotation: few, so in one go."""
    table = _table(PreviousCaseKey)
    rows = session.execute(select(table.c.case_id, table.c.dek_version, table.c.wrapped_dek)).all()
    params = [
        {"b_case": r.case_id, "b_version": r.dek_version, "b_old": r.wrapped_dek, "b_new": new}
        for r, new in _rewrapped(keyring, rows, case_of=lambda r: r.case_id)
    ]
    if params:
        session.execute(
            update(table)
            .where(
                table.c.case_id == bindparam("b_case"),
                table.c.dek_version == bindparam("b_version"),
                table.c.wrapped_dek == bindparam("b_old"),
            )
            .values(wrapped_dek=bindparam("b_new")),
            params,
        )
    session.commit()
    return len(params)


def _rewrap_secrets(
    session: Session, keyring: Keyring, sealed: KekSealedColumn, batch_size: int
) -> int:
    """Secrets sealed directly by the KEK in one column, e.g. authenticator seeds."""
    table = _table(sealed.model)
    key, owner, column = (
        inspect(sealed.model).primary_key[0],
        table.c[sealed.owner],
        table.c[sealed.column],
    )
    cas = (
        update(table)
        .where(key == bindparam("b_key"), column == bindparam("b_old"))
        .values({column.name: bindparam("b_new")})
    )
    changed, last = 0, None
    while True:
        query = select(key, owner, column).where(column.is_not(None)).order_by(key)
        rows = session.execute(
            query.limit(batch_size) if last is None else query.where(key > last).limit(batch_size)
        ).all()
        if not rows:
            return changed
        params = [
            {"b_key": k, "b_old": old, "b_new": keyring.rewrap_secret(sealed.purpose, str(o), old)}
            for k, o, old in rows
            if key_version_of(old) != keyring.kek_version
        ]
        if params:
            session.execute(cas, params)
        session.commit()
        last, changed = rows[-1][0], changed + len(params)


def _rewrap_index_keys(session: Session, keyring: Keyring) -> int:
    changed = 0
    for row in session.scalars(select(IndexKey)):
        if key_version_of(row.wrapped_key) != keyring.kek_version:
            root = keyring.unwrap_index_key(row.wrapped_key, row.version)
            row.wrapped_key = keyring.wrap_index_key(root, row.version)
            changed += 1
    session.commit()
    return changed


def _retire_old_versions(session: Session, current: int) -> tuple[int, ...]:
    rows = session.scalars(
        select(KekVersion).where(KekVersion.version != current, KekVersion.retired_at.is_(None))
    ).all()
    for row in rows:
        row.retired_at = utcnow()
    session.commit()
    return tuple(row.version for row in rows)
