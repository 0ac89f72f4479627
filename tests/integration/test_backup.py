"""`casework backup` and `casework restore`: a backup restored into a fresh database
verifies and reads back; the wrong key-encryption key, a backup without check values
and a database that is not empty are refused, changing nothing."""

from __future__ import annotations

import shutil
import sqlite3
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from casework import db
from casework.cli.backup import backup_sqlite
from tests import factories
from tests.audit_support import append
from tests.conftest import login
from tests.databases import fresh_database, migrate, owner_url
from tests.keys import KEK_A, KEK_B, app_for

GIVEN, FAMILY = "Šarūnas", "Petraitis"


@dataclass
class Backed:
    source_url: str
    backup: Path
    case_id: str
    events: int


def _cli(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.output


def _count_events(url: str) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.scalar(text("SELECT count(*) FROM audit_event")) or 0)
    finally:
        engine.dispose()


@pytest.fixture
def backed(tmp_path: Path) -> Iterator[Backed]:
    """A database with a user, a case and audit events, and a backup of it."""
    with fresh_database(tmp_path, "source") as url:
        migrate(url)
        with app_for(url, tmp_path, KEK=KEK_A) as app:
            with app.app_context():
                session = db.session()
                factories.bind(session)
                user = factories.make_user(username="liga")
                case_id = factories.open_case(session, user, given_name=GIVEN, family_name=FAMILY)
                append(session, 10)
            code, output = _cli(app, "backup", str(tmp_path / "backups"))
            assert code == 0, output
        backups = list((tmp_path / "backups").iterdir())
        assert len(backups) == 1
        yield Backed(url, backups[0], str(case_id), _count_events(url))


def _restore(target: str, tmp_path: Path, backup: Path, **config: str) -> tuple[int, str]:
    """`casework restore` as the owner of `target`, granting the application role."""
    app_role = make_url(target).username or ""
    owner = owner_url(target)
    if owner == target:
        app_role = ""
    with app_for(owner, tmp_path / "restore", DATABASE_APP_ROLE=app_role, **config) as app:
        return _cli(app, "restore", str(backup))


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        return inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_backup_is_owner_only(backed: Backed) -> None:
    assert stat.S_IMODE(backed.backup.stat().st_mode) == 0o600


def test_restore_into_a_fresh_database_verifies_and_reads_a_case(
    backed: Backed, tmp_path: Path
) -> None:
    with fresh_database(tmp_path, "target") as target:
        code, output = _restore(target, tmp_path, backed.backup, KEK=KEK_A)
        assert code == 0, output
        assert "key-encryption key version 1 fits" in output
        assert f"audit log intact: {backed.events} events" in output
        assert _count_events(target) == backed.events
        if make_url(target).get_backend_name() == "postgresql":
            engine = create_engine(target)
            with engine.connect() as conn:
                states = set(
                    conn.scalars(
                        text(
                            "SELECT tgenabled FROM pg_trigger WHERE NOT tgisinternal AND"
                            " tgrelid IN ('audit_event'::regclass, 'audit_checkpoint'::regclass)"
                        )
                    )
                )
                owners = set(
                    conn.scalars(
                        text("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")
                    )
                )
            engine.dispose()
            assert states == {"A"}, "the append-only triggers came back, ALWAYS enabled"
            assert make_url(target).username not in owners
        # The app on the restored database, as the application role: a case reads back.
        with app_for(target, tmp_path / "served", KEK=KEK_A) as app:
            client = app.test_client()
            assert login(client, "liga").status_code == 302
            page = client.get(f"/cases/{backed.case_id}")
            assert page.status_code == 200
            assert FAMILY in page.text


def test_restore_with_the_wrong_key_is_refused(backed: Backed, tmp_path: Path) -> None:
    with fresh_database(tmp_path, "wrongkey") as target:
        code, output = _restore(target, tmp_path, backed.backup, KEK=KEK_B)
        assert code == 2
        assert "does not open the check values" in output
        assert "nothing was restored" in output
        assert _tables(target) == []


def test_restore_into_a_database_that_is_not_empty_is_refused(
    backed: Backed, tmp_path: Path
) -> None:
    code, output = _restore(backed.source_url, tmp_path, backed.backup, KEK=KEK_A)
    assert code == 2
    assert "not empty" in output


def test_a_backup_without_check_values_is_refused(tmp_path: Path) -> None:
    """A database migrated but never started has no check values to compare."""
    source = tmp_path / "bare.sqlite3"
    migrate(f"sqlite:///{source}")
    backup = tmp_path / "bare-backup.sqlite3"
    backup_sqlite(source, backup)
    with fresh_database(tmp_path, "bare", base=None) as target:
        with app_for(target, tmp_path, KEK=KEK_A) as app:
            code, output = _cli(app, "restore", str(backup))
        assert code == 2
        assert "holds no key check values" in output


def test_a_backup_of_another_kind_is_refused(backed: Backed, tmp_path: Path) -> None:
    other = tmp_path / "other"
    other.write_bytes(b"not a backup at all")
    with fresh_database(tmp_path, "kind") as target, app_for(target, tmp_path, KEK=KEK_A) as app:
        code, output = _cli(app, "restore", str(other))
    assert code == 2
    assert "neither a SQLite backup nor a pg_dump" in output


def test_a_file_copy_of_a_live_sqlite_database_misses_what_the_backup_has(
    tmp_path: Path,
) -> None:
    """Why docs/operations.md says never to copy the file: recent commits live in the
    -wal file until a checkpoint, so a copy of the main file alone lacks them."""
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    migrate(url)
    with app_for(url, tmp_path, KEK=KEK_A) as app, app.app_context():
        session = db.session()
        append(session, 20)
        copy = tmp_path / "copied.sqlite3"
        shutil.copyfile(tmp_path / "live.sqlite3", copy)
        backup = tmp_path / "backup.sqlite3"
        backup_sqlite(tmp_path / "live.sqlite3", backup)
        live = int(session.scalar(text("SELECT count(*) FROM audit_event")) or 0)

    def events(path: Path) -> int:
        connection = sqlite3.connect(path)
        try:
            return int(connection.execute("SELECT count(*) FROM audit_event").fetchone()[0])
        except sqlite3.DatabaseError:
            return 0
        finally:
            connection.close()

    assert events(backup) == live
    assert events(copy) < live
