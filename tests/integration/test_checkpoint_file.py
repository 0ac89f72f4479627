"""Audit checkpoints copied to a file outside the database (AUDIT_CHECKPOINT_FILE), and
verification against it by default: deleting the newest events with their checkpoints,
or emptying the log, is named as damage."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, select, text

from casework import create_app, db
from casework.audit.checkpoints import stored
from casework.audit.events import Action, Actor, record
from casework.db import database
from casework.models import AuditEvent
from casework.settings import ConfigError, build
from tests import factories
from tests.audit_support import append
from tests.conftest import app_config, csrf_token, login
from tests.databases import fresh_database, migrate, owner_url

TRIGGERS = {
    "audit_event_no_delete": "audit_event",
    "audit_checkpoint_no_delete": "audit_checkpoint",
}


@pytest.fixture
def kept(tmp_path: Path) -> Iterator[tuple[Flask, str, Path]]:
    """An app on a fresh database signing every 5 events, copying to a checkpoint file."""
    checkpoint_file = tmp_path / "outside" / "audit-checkpoints.txt"
    checkpoint_file.parent.mkdir()
    with fresh_database(tmp_path, "kept") as url:
        migrate(url)
        app = create_app(
            app_config(
                url,
                tmp_path / "instance",
                AUDIT_CHECKPOINT_FILE=str(checkpoint_file),
                AUDIT_CHECKPOINT_EVERY_EVENTS=5,
            )
        )
        try:
            yield app, url, checkpoint_file
        finally:
            database(app).dispose()


def _append(app: Flask, count: int) -> None:
    with app.app_context():
        append(db.session(), count)


def _verify(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["audit", "verify", *args])
    return result.exit_code, result.output


def _delete_as_dba(url: str, *statements: str) -> None:
    """Triggers off, rows deleted, triggers back: the owner's own client."""
    engine = create_engine(owner_url(url))
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                for table in TRIGGERS.values():
                    conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
                for statement in statements:
                    conn.execute(text(statement))
                for table in TRIGGERS.values():
                    conn.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
            else:
                ddl = {
                    name: conn.scalar(
                        text("SELECT sql FROM sqlite_master WHERE name = :n"), {"n": name}
                    )
                    for name in TRIGGERS
                }
                for name in TRIGGERS:
                    conn.execute(text(f"DROP TRIGGER {name}"))
                for statement in statements:
                    conn.execute(text(statement))
                for sql in ddl.values():
                    conn.execute(text(sql))
    finally:
        engine.dispose()


def _file_seqs(path: Path) -> list[int]:
    return [
        int(line.split()[1])
        for line in path.read_text().splitlines()
        if line.startswith("checkpoint ")
    ]


def test_every_committed_checkpoint_is_copied_owner_only(
    kept: tuple[Flask, str, Path],
) -> None:
    app, _url, path = kept
    _append(app, 12)
    with app.app_context():
        in_database = [c.seq for c in stored(db.session())]
    assert in_database == [1, 6, 11]
    assert _file_seqs(path) == in_database
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().count("casework-audit-checkpoints v1") == 1


def test_a_rolled_back_checkpoint_never_reaches_the_file(kept: tuple[Flask, str, Path]) -> None:
    app, _url, path = kept
    _append(app, 5)
    before = path.read_text()
    with app.app_context():
        session = db.session()
        # The sixth event is due a checkpoint; the transaction is then rolled back.
        record(session, Action.CASE_READ, Actor(username="sofia"))
        assert max(c.seq for c in stored(session)) == 6
        session.rollback()
        assert max(c.seq for c in stored(session)) == 1
    assert path.read_text() == before


def test_a_file_readable_by_others_is_made_owner_only(kept: tuple[Flask, str, Path]) -> None:
    app, _url, path = kept
    _append(app, 1)
    path.chmod(0o644)
    _append(app, 5)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _file_seqs(path) == [1, 6]


def test_deleting_the_newest_events_with_their_checkpoints_is_caught(
    kept: tuple[Flask, str, Path],
) -> None:
    app, url, _path = kept
    _append(app, 12)
    assert _verify(app)[0] == 0
    _delete_as_dba(
        url, "DELETE FROM audit_event WHERE seq > 8", "DELETE FROM audit_checkpoint WHERE seq > 8"
    )
    # The copy outside the database still holds the checkpoint for event 11 ...
    code, output = _verify(app)
    assert code == 1
    assert "first bad event 9 (truncated)" in output
    assert "events 9 to 11 are gone" in output
    # ... while what is left in the database is consistent in itself (each run of
    # verify appends its own event, now number 9 and then 10).
    code, output = _verify(app, "--no-checkpoint-file")
    assert code == 0, output


def test_an_emptied_log_names_the_damage(kept: tuple[Flask, str, Path]) -> None:
    app, url, _path = kept
    _append(app, 7)
    _delete_as_dba(url, "DELETE FROM audit_event", "DELETE FROM audit_checkpoint")
    code, output = _verify(app)
    assert code == 1, output
    assert "first bad event 1 (truncated)" in output
    assert "Traceback" not in output


def test_an_emptied_event_table_names_the_damage_without_the_file(
    kept: tuple[Flask, str, Path],
) -> None:
    app, url, _path = kept
    _append(app, 7)
    _delete_as_dba(url, "DELETE FROM audit_event")
    code, output = _verify(app, "--no-checkpoint-file")
    assert code == 1, output
    assert "first bad event 1 (truncated)" in output


def test_the_report_says_how_many_events_are_unsigned(kept: tuple[Flask, str, Path]) -> None:
    app, _url, path = kept
    _append(app, 8)  # signed at 1 and 6; 7 and 8 not yet
    code, output = _verify(app)
    assert code == 0, output
    assert "unsigned:    2 events after the last checkpoint" in output
    assert f"checked against AUDIT_CHECKPOINT_FILE {path}" in output


def test_a_changed_line_in_the_file_is_refused(kept: tuple[Flask, str, Path]) -> None:
    app, _url, path = kept
    _append(app, 6)
    lines = path.read_text().splitlines()
    last = lines[-1].split()
    last[3] = "0" * 64  # another event hash under the old signature
    path.write_text("\n".join([*lines[:-1], " ".join(last)]) + "\n")
    code, output = _verify(app)
    assert code == 2
    assert "does not verify" in output
    with app.app_context():
        event = (
            db.session().scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).one()
        )
        assert (event.action, event.outcome) == ("audit.verify", "failed")


def test_auditor_verify_now_compares_against_the_file(kept: tuple[Flask, str, Path]) -> None:
    app, url, _path = kept
    with app.app_context():
        factories.bind(db.session())
        factories.make_user(username="aino", auditor=True)
    client = app.test_client()
    login(client, "aino")
    page = client.get("/audit/chain")
    _append(app, 12)
    with app.app_context():
        head = db.session().scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()))
        assert head is not None and max(c.seq for c in stored(db.session())) > head - 5
    _delete_as_dba(
        url,
        f"DELETE FROM audit_event WHERE seq > {head - 5}",  # noqa: S608 - a number
        f"DELETE FROM audit_checkpoint WHERE seq > {head - 5}",  # noqa: S608 - a number
    )
    response = client.post(
        "/audit/chain/verify", data={"csrf_token": csrf_token(page.text)}, follow_redirects=True
    )
    assert response.status_code == 200
    assert f"the first bad event is number {head - 4}" in response.text
    assert "the newest events were cut off" in response.text


def test_auditor_verify_now_with_an_unusable_file_says_so(kept: tuple[Flask, str, Path]) -> None:
    app, _url, path = kept
    with app.app_context():
        factories.bind(db.session())
        factories.make_user(username="aino", auditor=True)
    path.write_text("not a checkpoint file\n")
    client = app.test_client()
    login(client, "aino")
    page = client.get("/audit/chain")
    response = client.post(
        "/audit/chain/verify", data={"csrf_token": csrf_token(page.text)}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "checkpoint file" in response.text and "cannot be used" in response.text


def test_production_needs_a_checkpoint_file(tmp_path: Path) -> None:
    secrets = {
        "ENV": "production",
        "INSTANCE_PATH": str(tmp_path),
        "SECRET_KEY": "s" * 40,
        "KEK": factories.TEST_KEK,
        "SIGNING_KEY": factories.TEST_KEK,
    }
    with pytest.raises(ConfigError, match="AUDIT_CHECKPOINT_FILE"):
        build(secrets)
    with pytest.raises(ConfigError, match="absolute"):
        build({**secrets, "AUDIT_CHECKPOINT_FILE": "relative.txt"})
    settings = build({**secrets, "AUDIT_CHECKPOINT_FILE": str(tmp_path / "c.txt")})
    assert settings.audit_checkpoint_file == tmp_path / "c.txt"
