"""KEK rotation on a database of its own: new key as CASEWORK_KEK, old as
CASEWORK_KEK_PREVIOUS, `casework keys rotate-kek`, then the old key is not needed."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from flask import Flask
from sqlalchemy import LargeBinary, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from casework import db
from casework.crypto.aead import key_version_of
from casework.crypto.keyring import Keyring, current_keyring
from casework.crypto.registry import kek_sealed_columns
from casework.db import make_engine
from casework.keys.keycheck import KeyCheckError
from casework.keys.rotation import Batches, _rewrap_case_keys, rotate_kek
from casework.models import (
    AuditEvent,
    Base,
    Case,
    Child,
    IndexKey,
    KekVersion,
    KeyRotationRun,
)
from casework.models.base import UuidPrimaryKey
from tests import factories
from tests.conftest import login, post_form, search
from tests.databases import as_migration
from tests.keys import KEK_A, KEK_B, KEK_C, app_for, assert_chain_verifies, fresh_url


def _seed(app: Flask, count: int) -> list[uuid.UUID]:
    with app.app_context():
        session = db.session()
        factories.bind(session)
        user = factories.make_user(username="sofia")
        names = ["Šarūnas", "Liis", "Łucja", "Mads", "Līga", "Aino"][:count]
        return [factories.open_case(session, user, given_name=n) for n in names]


def _state(app: Flask) -> dict[str, Any]:
    with app.app_context():
        session = db.session()
        cases = session.scalars(select(Case).order_by(Case.id)).all()
        return {
            "case_versions": [key_version_of(c.wrapped_dek) for c in cases if c.wrapped_dek],
            "index_versions": [
                key_version_of(k.wrapped_key) for k in session.scalars(select(IndexKey))
            ],
            "children": {
                c.id: (c.given_name_enc, c.given_name) for c in session.scalars(select(Child))
            },
            "retired": [v.version for v in session.scalars(select(KekVersion)) if v.retired_at],
        }


@pytest.fixture
def database(tmp_path: Path) -> Iterator[str]:
    with fresh_url(tmp_path, "kek") as url:
        with app_for(url, tmp_path, KEK=KEK_A) as app:
            _seed(app, 3)
        yield url


def test_rotation_rewraps_every_key_leaves_fields_alone_and_retires_the_old_key(
    database: str, tmp_path: Path
) -> None:
    with app_for(database, tmp_path, KEK=KEK_A) as old:
        before = _state(old)
    assert before["case_versions"] == [1, 1, 1]
    with app_for(database, tmp_path, KEK=KEK_B, KEK_PREVIOUS=KEK_A) as app:
        with app.app_context():
            assert current_keyring().kek_version == 2
        client = app.test_client()
        login(client, "sofia")
        opened = post_form(
            client,
            "/cases/new",
            {"given_name": "Mart", "family_name": "Tamm", "date_of_birth": "", "sex": "male"},
        )
        assert opened.status_code == 302
        assert _state(app)["case_versions"].count(2) == 1  # new cases use the new key at once
        result = app.test_cli_runner().invoke(
            args=["keys", "rotate-kek", "--batch-size", "2", "--yes"]
        )
        assert result.exit_code == 0, result.output
        # The index key, three cases' data keys, the statistics key and sofia's
        # authenticator seed.
        assert "rewrapped 6 keys under key-encryption key version 2" in result.output
        assert "retired version(s): 1" in result.output
        after = _state(app)
    assert after["case_versions"] == [2, 2, 2, 2]
    assert after["index_versions"] == [2]
    assert after["retired"] == [1]
    for child_id, (blob, name) in before["children"].items():
        assert after["children"][child_id] == (blob, name)  # field data untouched
    with app_for(database, tmp_path, KEK=KEK_B) as new_only:
        _assert_works_with_the_new_key_alone(new_only)
    with pytest.raises(KeyCheckError, match="retired"):
        app_for(database, tmp_path, KEK=KEK_A).__enter__()


def _assert_works_with_the_new_key_alone(app: Flask) -> None:
    client = app.test_client()
    login(client, "sofia")
    found = search(client, {"name": "sarunas", "date_of_birth": ""})
    assert "Šarūnas" in found.text
    with app.app_context():
        session = db.session()
        runs = session.scalars(select(KeyRotationRun)).all()
        assert [(r.kind, r.scope, r.finished_at is not None) for r in runs] == [("kek", "v2", True)]
        rotations = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "key.rotate")
        ).all()
        assert len(rotations) == 2 and {e.actor for e in rotations} == {"cli"}
        assert assert_chain_verifies(session) > 2


def test_the_new_key_alone_is_refused_until_the_rotation_has_finished(
    database: str, tmp_path: Path
) -> None:
    with app_for(database, tmp_path, KEK=KEK_B, KEK_PREVIOUS=KEK_A):
        pass  # registers version 2
    with pytest.raises(KeyCheckError, match="KEK_PREVIOUS or CASEWORK_KEK_PREVIOUS_FILE"):
        app_for(database, tmp_path, KEK=KEK_B).__enter__()
    with pytest.raises(KeyCheckError, match="swap them"):
        app_for(database, tmp_path, KEK=KEK_A, KEK_PREVIOUS=KEK_B).__enter__()
    with pytest.raises(KeyCheckError, match=r"^CASEWORK_KEK_PREVIOUS: .*check value"):
        app_for(database, tmp_path, KEK=KEK_B, KEK_PREVIOUS=KEK_C).__enter__()


def test_an_interrupted_rotation_keeps_everything_readable_and_resumes(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app_for(database, tmp_path, KEK=KEK_B, KEK_PREVIOUS=KEK_A) as app:
        calls = {"n": 0}
        rewrap = Keyring.rewrap

        def crash_on_the_third(self: Keyring, *args: Any) -> bytes:
            calls["n"] += 1
            if calls["n"] == 3:
                raise KeyboardInterrupt  # the operator pressed Ctrl-C
            return rewrap(self, *args)

        monkeypatch.setattr(Keyring, "rewrap", crash_on_the_third)
        first = app.test_cli_runner().invoke(
            args=["keys", "rotate-kek", "--batch-size", "2", "--yes"]
        )
        assert first.exit_code != 0
        assert sorted(_state(app)["case_versions"]) == [1, 2, 2]  # the first batch committed
        assert all(name for _, name in _state(app)["children"].values())  # all still readable
        monkeypatch.setattr(Keyring, "rewrap", rewrap)
        second = app.test_cli_runner().invoke(
            args=["keys", "rotate-kek", "--batch-size", "2", "--yes"]
        )
        assert second.exit_code == 0, second.output
        # The last case, the statistics key and sofia's seed.
        assert "rewrapped 3 keys" in second.output
        assert _state(app)["case_versions"] == [2, 2, 2]
        with app.app_context():
            runs = db.session().scalars(select(KeyRotationRun)).all()
            assert len(runs) == 1 and runs[0].finished_at is not None  # resumed, not restarted


def test_a_case_erased_during_the_rotation_stays_erased(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app_for(database, tmp_path, KEK=KEK_B, KEK_PREVIOUS=KEK_A) as app, app.app_context():
        session = db.session()
        victim = session.scalars(select(Case).order_by(Case.id)).first()
        assert victim is not None
        rewrap = Keyring.rewrap

        def erase_meanwhile(self: Keyring, wrapped: bytes, case_id: str, version: int) -> bytes:
            if case_id == str(victim.id):  # read before, erased before the write lands
                session.execute(update(Case).where(Case.id == victim.id).values(wrapped_dek=b""))
            return rewrap(self, wrapped, case_id, version)

        monkeypatch.setattr(Keyring, "rewrap", erase_meanwhile)
        run = KeyRotationRun(kind="kek", scope="test", cursor="", done=0)
        session.add(run)
        _rewrap_case_keys(session, current_keyring(), run, Batches(size=10))
        session.expire_all()
        assert session.get_one(Case, victim.id).wrapped_dek == b""


def test_without_a_previous_key_there_is_nothing_to_rotate(database: str, tmp_path: Path) -> None:
    with app_for(database, tmp_path, KEK=KEK_A) as app:
        result = app.test_cli_runner().invoke(args=["keys", "rotate-kek"])
        assert result.exit_code == 0
        assert "wrapped by key-encryption key version 1 already" in result.output
        status = app.test_cli_runner().invoke(args=["keys", "status"])
        assert "version 1: live" in status.output
        assert "data keys wrapped by version 1: 3" in status.output


def test_the_operator_is_asked_whether_the_servers_know_both_keys(
    database: str, tmp_path: Path
) -> None:
    with app_for(database, tmp_path, KEK=KEK_B, KEK_PREVIOUS=KEK_A) as app:
        declined = app.test_cli_runner().invoke(args=["keys", "rotate-kek"], input="n\n")
        assert declined.exit_code != 0 and "Aborted" in declined.output
        assert _state(app)["case_versions"] == [1, 1, 1]
        agreed = app.test_cli_runner().invoke(args=["keys", "rotate-kek"], input="y\n")
        assert agreed.exit_code == 0, agreed.output
        assert _state(app)["case_versions"] == [2, 2, 2]


class Sealed(DeclarativeBase):
    """A registry of its own for a stand-in model, so the app's schema stays as migrated."""


class Authenticator(UuidPrimaryKey, Sealed):
    """Stands for a model keeping a secret sealed by the KEK itself (a TOTP seed)."""

    __tablename__ = "test_authenticator"
    __kek_sealed__: ClassVar[dict[str, tuple[str, str]]] = {"seed_enc": ("totp", "id")}

    seed_enc: Mapped[bytes | None] = mapped_column(LargeBinary)


def test_secrets_sealed_by_the_kek_are_rewrapped_too(database: str, tmp_path: Path) -> None:
    engine = make_engine(database)
    with engine.begin() as connection, as_migration(connection):
        Sealed.metadata.create_all(connection)
    with app_for(database, tmp_path, KEK=KEK_A) as app, app.app_context():
        session = db.session()
        rows = [Authenticator() for _ in range(3)] + [Authenticator(seed_enc=None)]
        for row in rows[:3]:
            row.seed_enc = current_keyring().seal_secret("totp", str(row.id), b"JBSWY3DPEHPK3PXP")
        session.add_all(rows)
        session.commit()
    with app_for(database, tmp_path, KEK=KEK_B, KEK_PREVIOUS=KEK_A) as app, app.app_context():
        registries = (Base.registry, Sealed.registry)
        report = rotate_kek(db.session(), current_keyring(), Batches(size=2, registries=registries))
        # The index key, three cases, three seeds here, the statistics key and the case
        # opener's own seed.
        assert report.rewrapped == 1 + 3 + 3 + 1 + 1
    with app_for(database, tmp_path, KEK=KEK_B) as app, app.app_context():
        for row in db.session().scalars(select(Authenticator)):
            if row.seed_enc is not None:
                assert key_version_of(row.seed_enc) == 2
                opened = current_keyring().open_secret("totp", str(row.id), row.seed_enc)
                assert opened == b"JBSWY3DPEHPK3PXP"
    engine.dispose()


def test_a_declared_sealed_column_that_does_not_exist_is_refused_by_name() -> None:
    class Broken(DeclarativeBase):
        pass

    class Misnamed(UuidPrimaryKey, Broken):
        __tablename__ = "test_misnamed"
        __kek_sealed__: ClassVar[dict[str, tuple[str, str]]] = {"seed": ("totp", "id")}
        seed_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    with pytest.raises(TypeError, match=r"Misnamed.__kek_sealed__ names 'seed'"):
        kek_sealed_columns(Broken.registry)
