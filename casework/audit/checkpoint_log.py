"""Every checkpoint also goes to a file outside the database (AUDIT_CHECKPOINT_FILE).

Someone who can change the database can delete the newest events together with the
checkpoints that cover them, and what is left verifies. A copy of each checkpoint
written elsewhere the moment it is committed keeps the claim: `casework audit verify`
and the auditor's "verify now" compare the database against this file by default, so
the cut shows as `truncated` (or, if events were forged, `rewritten`).

The file has the checkpoint-file format of checkpoint_file.py, written once with its
header and then appended to, one line per checkpoint. It is created owner-only (0600)
and put back to 0600 if found wider; lines are appended with O_APPEND in one write each
under an exclusive lock, so several app server processes share one file. A line is
appended only after the transaction holding its checkpoint committed: a rolled-back
checkpoint never reaches the file. A crash between the commit and the write loses that
line (the file holds a subset of the checkpoints; the next one covers everything
before it).

Ship the file off the host too (a remote log, a WORM share): a copy on the database
server is only as safe as that server.
"""

from __future__ import annotations

import fcntl
import logging
import os
import stat
from datetime import datetime
from pathlib import Path

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from casework.audit.checkpoint_file import checkpoint_line, header_lines, load
from casework.audit.checkpoints import EXTENSION_KEY as CHECKPOINTER_KEY
from casework.audit.checkpoints import Checkpoint, Checkpointer, PublicKey
from casework.clock import utcnow
from casework.models.audit import AuditCheckpoint
from casework.settings import Settings

log = logging.getLogger(__name__)

EXTENSION_KEY = "casework.audit.checkpoint_log"
PENDING_KEY = "casework.audit.checkpoint_log.pending"
FILE_MODE = 0o600


class CheckpointLog:
    """Appends committed checkpoints to `path`, signed by the key `public_key` names."""

    def __init__(self, path: Path, public_key: PublicKey) -> None:
        self.path = path
        self.public_key = public_key

    def append(self, checkpoints: list[Checkpoint], now: datetime) -> None:
        """Append the lines; logs (without raising) when the file cannot be written, since
        the checkpoints are committed in the database already."""
        try:
            self._append(checkpoints, now)
        except OSError as exc:
            log.error(
                "could not append %d audit checkpoint(s) to AUDIT_CHECKPOINT_FILE %s: %s",
                len(checkpoints),
                self.path,
                exc.strerror,
            )

    def _append(self, checkpoints: list[Checkpoint], now: datetime) -> None:
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(self.path, flags, FILE_MODE)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            info = os.fstat(fd)
            if stat.S_IMODE(info.st_mode) != FILE_MODE:
                log.warning(
                    "AUDIT_CHECKPOINT_FILE %s was readable by others (mode %o); set to 0600",
                    self.path,
                    stat.S_IMODE(info.st_mode),
                )
                os.fchmod(fd, FILE_MODE)
            text = ""
            if info.st_size == 0:
                text = "\n".join(header_lines(self.public_key, now)) + "\n"
            text += "".join(checkpoint_line(c) + "\n" for c in checkpoints)
            os.write(fd, text.encode("ascii"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def load(self) -> list[Checkpoint]:
        """The file's checkpoints (none while it does not exist yet); CheckpointFileError
        when it exists but cannot be trusted as it is."""
        if not self.path.exists():
            return []
        return load(self.path, self.public_key, ordered=False)


def init_app(app: Flask, settings: Settings) -> None:
    """Keep the file named by AUDIT_CHECKPOINT_FILE, if any, for this application."""
    path = settings.audit_checkpoint_file
    if path is None:
        return
    key = current_checkpointer_of(app).signer.public_key
    app.extensions[EXTENSION_KEY] = CheckpointLog(path, key)


def current_checkpoint_log() -> CheckpointLog | None:
    """The running application's checkpoint file, or None when it keeps none."""
    if not has_app_context():
        return None
    checkpoint_log: CheckpointLog | None = current_app.extensions.get(EXTENSION_KEY)
    return checkpoint_log


def current_checkpointer_of(app: Flask) -> Checkpointer:
    checkpointer: Checkpointer = app.extensions[CHECKPOINTER_KEY]
    return checkpointer


@event.listens_for(Session, "after_flush")
def _remember(session: Session, _flush_context: object) -> None:
    """Checkpoints flushed in this transaction wait for its commit."""
    checkpoint_log = current_checkpoint_log()
    if checkpoint_log is None:
        return
    for row in session.new:
        if isinstance(row, AuditCheckpoint):
            claim = Checkpoint(
                row.seq, bytes(row.event_hash), row.signed_at, row.key_id, bytes(row.signature)
            )
            session.info.setdefault(PENDING_KEY, []).append((checkpoint_log, claim))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending: list[tuple[CheckpointLog, Checkpoint]] = session.info.pop(PENDING_KEY, [])
    by_log: dict[int, tuple[CheckpointLog, list[Checkpoint]]] = {}
    for checkpoint_log, checkpoint in pending:
        by_log.setdefault(id(checkpoint_log), (checkpoint_log, []))[1].append(checkpoint)
    for checkpoint_log, checkpoints in by_log.values():
        checkpoint_log.append(checkpoints, utcnow())


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction: object) -> None:
    # Any rollback, even of a savepoint, forgets what was pending: the file may miss a
    # checkpoint (the next covers it), but never holds one the database does not.
    session.info.pop(PENDING_KEY, None)
