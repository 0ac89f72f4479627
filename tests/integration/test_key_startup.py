"""The key-encryption key is checked against the database when Casework starts."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path
from typing import cast

import pytest
from flask import Flask
from sqlalchemy import Table, func, insert, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from casework import __main__ as cli
from casework.crypto.aead import key_version_of
from casework.crypto.keyring import Keyring
from casework.db import make_engine
from casework.keys.keycheck import KeyCheckError
from casework.models import BlindIndexEntry, Case, KekVersion, Organisation, User
from casework.settings import ConfigError
from tests.conftest import app_config
from tests.databases import migrate, owner_url
from tests.factories import make_user, open_case
from tests.keys import KEK_A, KEK_B, app_for, fresh_url


def test_a_wrong_kek_is_refused_at_start_naming_the_setting(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    with pytest.raises(KeyCheckError) as err:
        app_for(database_url, tmp_path, KEK=KEK_B).__enter__()
    message = str(err.value)
    assert message.startswith("CASEWORK_KEK:")
    assert "refusing to start" in message and "\n" not in message
    assert KEK_B not in message


def test_a_wrong_kek_in_a_mounted_file_names_the_file_setting(
    app: Flask, database_url: str, tmp_path: Path
) -> None:
    (tmp_path / "kek").write_text(KEK_B + "\n")
    with pytest.raises(KeyCheckError, match=r"^CASEWORK_KEK_FILE \(.*kek\): .*check value"):
        app_for(database_url, tmp_path, KEK="", KEK_FILE=str(tmp_path / "kek")).__enter__()


def test_the_command_line_refuses_a_wrong_kek_in_one_line(
    app: Flask,
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in app_config(database_url, tmp_path, KEK=KEK_B).items():
        monkeypatch.setenv(f"CASEWORK_{name}", str(value))
    with pytest.raises(SystemExit) as exit_info:
        cli._create_app()
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("casework: cannot start: CASEWORK_KEK:")
    assert err.count("\n") == 1


def test_an_empty_database_can_be_migrated_and_is_served_after(tmp_path: Path) -> None:
    with fresh_url(tmp_path, "empty", revision=None) as url, app_for(url, tmp_path) as app:
        not_ready = app.test_client().get("/health")
        assert not_ready.status_code == 503
        assert "Casework is not available" in not_ready.text
        # The owner migrates and gives the application role its privileges.
        app_role = make_url(url).username or ""
        with app_for(owner_url(url), tmp_path, DATABASE_APP_ROLE=app_role) as owner_app:
            result = owner_app.test_cli_runner().invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        assert app.test_client().get("/health").status_code == 200
        assert app.test_client().get("/login").status_code == 200
        engine = make_engine(url)
        with Session(engine) as session:
            assert session.scalars(select(KekVersion.version)).all() == [1]
        engine.dispose()


def _insert_legacy_case(url: str, kek: bytes) -> None:
    """A case as a database from before check values holds it (schema 0001)."""
    engine = make_engine(url)
    assert "kek_version" not in inspect(engine).get_table_names()
    keyring, case_id, org, user = Keyring(kek), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    now = datetime(2026, 1, 1)
    with engine.begin() as conn:
        conn.execute(
            insert(cast(Table, Organisation.__table__)).values(
                id=org, name="O", kind="ngo", region="R"
            )
        )
        conn.execute(
            insert(cast(Table, User.__table__)).values(
                id=user,
                username="u",
                display_name="U",
                password_hash="x",
                role="police",
                organisation_id=org,
                active=True,
                created_at=now,
            )
        )
        conn.execute(
            insert(cast(Table, Case.__table__)).values(
                id=case_id,
                reference="CW-2026-LEGACY",
                status="open",
                lead_organisation_id=org,
                created_by_id=user,
                created_at=now,
                updated_at=now,
                dek_version=1,
                version=1,
                wrapped_dek=keyring.wrap(keyring.new_data_key(), str(case_id), 1),
            )
        )
    engine.dispose()


def test_a_database_from_before_check_values_is_checked_against_its_cases(
    tmp_path: Path,
) -> None:
    with fresh_url(tmp_path, "legacy", revision="0007_support") as url:
        _insert_legacy_case(url, b"A" * 32)
        with pytest.raises(KeyCheckError, match="CASEWORK_KEK"):
            app_for(url, tmp_path, KEK=KEK_B).__enter__()
        migrate(url)
        with pytest.raises(KeyCheckError, match="CASEWORK_KEK"):
            app_for(url, tmp_path, KEK=KEK_B).__enter__()
        with app_for(url, tmp_path, KEK=KEK_A) as app:
            assert app.test_client().get("/health").status_code == 200
        with app_for(url, tmp_path, KEK=KEK_A):
            pass  # and again, now from the check value


def test_production_refuses_without_a_kek_before_touching_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'none.sqlite3'}"
    with pytest.raises(ConfigError, match="CASEWORK_KEK"):
        app_for(url, tmp_path, ENV="production", KEK="").__enter__()
    assert not (tmp_path / "none.sqlite3").exists()


def test_opening_a_case_indexes_its_names_and_date_of_birth_as_tokens_only(
    app: Flask, db_session: Session
) -> None:
    user = make_user()
    with app.app_context():
        case_id = open_case(db_session, user, given_name="Anna-Maria", family_name="Jõgi")
    entries = db_session.scalars(
        select(BlindIndexEntry).where(BlindIndexEntry.case_id == case_id)
    ).all()
    fields = sorted(e.field for e in entries)
    assert fields == [
        "child.date_of_birth",
        "child.family_name",
        "child.given_name",
        "child.given_name",
    ]
    assert all(0 <= e.token < 2**12 for e in entries)
    case = db_session.get(Case, case_id)
    assert case is not None and case.wrapped_dek is not None
    assert key_version_of(case.wrapped_dek) == 1
    assert db_session.scalar(select(func.count()).select_from(KekVersion)) == 1
