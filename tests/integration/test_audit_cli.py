"""`casework audit verify | checkpoint | export-checkpoints`, as an operator runs them."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from casework import create_app, db
from casework.audit.checkpoint_file import parse, render
from casework.audit.checkpoints import Signer, stored
from casework.clock import utcnow
from casework.db import database
from casework.models import AuditEvent
from tests.audit_support import append, as_dba, sql
from tests.conftest import app_config
from tests.databases import fresh_database, migrate, owner_url


def _run(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", *args])
    return result.exit_code, result.output


def _append(app: Flask, session: Session, count: int) -> None:
    # Each CLI run pushes and pops its own application context, as in production.
    with app.app_context():
        append(session, count)


def _last_event(session: Session) -> AuditEvent:
    event = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
    return event


def test_checkpoint_signs_an_unsigned_head_once(app: Flask, db_session: Session) -> None:
    assert _run(app, "checkpoint") == (0, _nothing_to_sign())
    _append(app, db_session, 3)  # event 1 is signed on append; 2 and 3 are not yet
    code, output = _run(app, "checkpoint")
    assert code == 0 and "signed the head: event 4" in output
    event = _last_event(db_session)
    assert (event.seq, event.action, event.actor) == (4, "audit.checkpoint", "cli")
    assert [c.seq for c in stored(db_session)] == [1, 4]
    assert _run(app, "checkpoint") == (0, _nothing_to_sign())
    assert _last_event(db_session).seq == 4


def _nothing_to_sign() -> str:
    return "nothing to sign: the log is empty or its head is signed already\n"


def test_verify_prints_count_and_head_and_is_recorded(app: Flask, db_session: Session) -> None:
    _append(app, db_session, 5)
    head = _last_event(db_session)
    code, output = _run(app, "verify")
    assert code == 0, output
    assert "audit log intact" in output
    assert "events:      5" in output
    assert f"head:        event 5, hash {head.hash.hex()}" in output
    assert "the last covers event 1" in output
    event = _last_event(db_session)
    assert (event.action, event.outcome, event.actor) == ("audit.verify", "allowed", "cli")


def test_export_then_verify_against_the_file(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    _append(app, db_session, 3)
    _run(app, "checkpoint")
    target = tmp_path / "kept-elsewhere.txt"
    code, output = _run(app, "export-checkpoints", str(target))
    assert code == 0 and "wrote 2 checkpoints" in output
    assert [c.seq for c in parse(target.read_text()).checkpoints] == [1, 4]
    assert target.stat().st_mode & 0o777 == 0o644
    assert _last_event(db_session).action == "export"
    code, output = _run(app, "verify", "--checkpoints", str(target))
    assert code == 0, output
    assert f"checked against {target} (2 checkpoints)" in output


def test_verify_with_a_malformed_or_foreign_file_says_so(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    _append(app, db_session, 2)
    malformed = tmp_path / "malformed.txt"
    malformed.write_text("casework-audit-checkpoints v1\npublic-key ed25519 ???\n")
    code, output = _run(app, "verify", "--checkpoints", str(malformed))
    assert code == 2
    assert f"the checkpoint file {malformed} the file ends before its header does" in output
    other = Signer(bytes(range(7, 39)))
    foreign = tmp_path / "foreign.txt"
    foreign.write_text(render(other.public_key, [other.sign(1, bytes(32), utcnow())], utcnow()))
    code, output = _run(app, "verify", "--checkpoints", str(foreign))
    assert code == 2
    assert "is signed by another key" in output
    code, output = _run(app, "verify", "--checkpoints", str(tmp_path / "absent.txt"))
    assert code == 2 and "cannot be read" in output


def test_export_to_a_folder_that_is_not_there_says_so(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    _append(app, db_session, 1)
    code, output = _run(app, "export-checkpoints", str(tmp_path / "absent" / "out.txt"))
    assert code == 1
    assert "cannot write" in output and "Traceback" not in output
    assert _last_event(db_session).action != "export"


def test_export_refuses_a_forged_checkpoint(
    app: Flask, db_session: Session, tmp_path: Path
) -> None:
    _append(app, db_session, 2)
    with as_dba(db_session):
        sql(db_session, "UPDATE audit_checkpoint SET seq = 2")
    target = tmp_path / "out.txt"
    code, output = _run(app, "export-checkpoints", str(target))
    assert code == 1
    assert "the checkpoint for event 2 does not verify" in output
    assert not target.exists()


def test_a_dba_on_another_connection_is_caught(tmp_path: Path) -> None:
    with fresh_database(tmp_path, "dba") as url:
        migrate(url)
        app = create_app(app_config(url, tmp_path / "instance"))
        try:
            with app.app_context():
                append(db.session(), 12)
            assert _run(app, "verify")[0] == 0
            _tamper_as_dba(url)
            code, output = _run(app, "verify")
            assert code == 1
            assert "audit log DAMAGED: first bad event 5 (altered)" in output
            with app.app_context():
                event = _last_event(db.session())
                assert (event.action, event.outcome) == ("audit.verify", "failed")
        finally:
            database(app).dispose()


def _tamper_as_dba(url: str) -> None:
    """Triggers off, one value changed, triggers back on: from the DBA's own client."""
    engine = create_engine(owner_url(url))
    try:
        with engine.begin() as conn:
            change = "UPDATE audit_event SET actor = 'someone-else' WHERE seq = 5"
            if conn.dialect.name == "postgresql":
                conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
                conn.execute(text(change))
                for trigger in ("audit_event_append_only", "audit_event_no_truncate"):
                    conn.execute(text(f"ALTER TABLE audit_event ENABLE ALWAYS TRIGGER {trigger}"))
            else:
                name = "audit_event_no_update"
                ddl = conn.scalar(
                    text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": name}
                )
                conn.execute(text(f"DROP TRIGGER {name}"))
                conn.execute(text(change))
                conn.execute(text(ddl))
    finally:
        engine.dispose()
