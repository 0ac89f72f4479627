"""Operations on the audit log as a whole: sign its head now, export the checkpoints,
verify it. Each is itself an audit event, committed with what it did."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from flask import current_app
from sqlalchemy.orm import Session

from casework.audit.checkpoint_file import CheckpointFileError, render
from casework.audit.checkpoint_log import current_checkpoint_log
from casework.audit.checkpoints import Checkpoint, current_checkpointer, latest, store, stored
from casework.audit.events import (
    Action,
    Actor,
    Outcome,
    RequestContext,
    locked_head,
    record,
)
from casework.audit.parallel import verify_parallel
from casework.audit.verify import Report, verify_database
from casework.clock import utcnow


class ExportRefused(RuntimeError):
    """The stored checkpoints are not all genuine; the message names the first bad one."""


def checkpoint_now(
    session: Session, actor: Actor, context: RequestContext | None = None
) -> Checkpoint | None:
    """Sign the head unless a checkpoint covers it already; None when nothing was signed.

    The signing is recorded as an `audit.checkpoint` event, and the checkpoint covers
    that event, so a quiet log gets one event and one checkpoint per run, not one a run.
    """
    current = locked_head(session)
    if current is None or (current.checkpoint_seq or 0) >= current.seq:
        session.rollback()
        return None
    event = record(session, Action.AUDIT_CHECKPOINT, actor, context=context)
    last = latest(session)
    if last is None or last.seq < event.seq:
        store(session, current_checkpointer().signer.sign(event.seq, event.hash, utcnow()))
    session.commit()
    return next(c for c in stored(session) if c.seq == event.seq)


def export_checkpoints(
    session: Session, actor: Actor, path: Path, context: RequestContext | None = None
) -> int:
    """Write every stored checkpoint to `path`; returns how many. Refuses when one of them
    does not verify: an auditor must never carry away a forged claim as evidence."""
    key = current_checkpointer().signer.public_key
    claims = stored(session)
    forged = next((c for c in claims if not key.verifies(c)), None)
    if forged is not None:
        session.rollback()
        raise ExportRefused(
            f"the checkpoint for event {forged.seq} does not verify; run `casework audit verify`"
        )
    text = render(key, claims, utcnow())
    # Written beside the target first, moved into place only once the export is recorded:
    # a failure may leave a recorded export without a file, never a file without a record.
    try:
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    except OSError:
        session.rollback()
        raise
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        record(session, Action.EXPORT, actor, context=context)
        session.commit()
        os.chmod(temporary, 0o644)  # public keys and hashes: nothing secret
        os.replace(temporary, path)
    except BaseException:
        session.rollback()
        Path(temporary).unlink(missing_ok=True)
        raise
    return len(claims)


def file_claims() -> list[Checkpoint]:
    """The checkpoints in AUDIT_CHECKPOINT_FILE (none when no file is kept or it does not
    exist yet). CheckpointFileError when the file cannot be trusted as it is."""
    checkpoint_log = current_checkpoint_log()
    return checkpoint_log.load() if checkpoint_log is not None else []


def verify_and_record(
    session: Session,
    actor: Actor,
    context: RequestContext | None = None,
    extra_claims: Iterable[Checkpoint] = (),
    jobs: int = 1,
    checkpoint_file: bool = True,
) -> Report:
    """Verify the whole log (on `jobs` processes) against its stored checkpoints, the
    copies in AUDIT_CHECKPOINT_FILE (unless `checkpoint_file` is False) and
    `extra_claims`, then record the verification. A checkpoint file that cannot be
    trusted is recorded as a failed verification and raised (CheckpointFileError)."""
    key = current_checkpointer().signer.public_key
    if checkpoint_file:
        try:
            extra_claims = [*extra_claims, *file_claims()]
        except CheckpointFileError:
            record(session, Action.AUDIT_VERIFY, actor, outcome=Outcome.FAILED, context=context)
            session.commit()
            raise
    if jobs > 1:
        url = current_app.config["CASEWORK"].database_url
        report = verify_parallel(session, url, key, extra_claims, jobs)
    else:
        report = verify_database(session, key, extra_claims)
    outcome = Outcome.ALLOWED if report.intact else Outcome.FAILED
    record(session, Action.AUDIT_VERIFY, actor, outcome=outcome, context=context)
    session.commit()
    return report
