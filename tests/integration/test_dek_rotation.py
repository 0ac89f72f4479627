"""DEK rotation: `casework keys rotate-dek --case REF | --all` re-encrypts every encrypted
field of every model in batches, resumes after an interruption, and is audited."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import LargeBinary, Uuid, func, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, object_session

from casework.crypto.aead import key_version_of
from casework.crypto.fields import EncryptedField, TextCodec
from casework.crypto.keyring import current_keyring
from casework.crypto.registry import encrypted_models
from casework.keys import dek_rotation
from casework.keys.dek_rotation import rotate_case
from casework.keys.rotation import Batches
from casework.models import (
    AuditEvent,
    Base,
    BlindIndexEntry,
    Case,
    Child,
    KeyRotationRun,
    PreviousCaseKey,
)
from casework.models.base import UuidPrimaryKey
from tests.conftest import login
from tests.databases import as_migration
from tests.factories import make_user, open_case
from tests.keys import assert_chain_verifies


class OtherBase(DeclarativeBase):
    """A registry of its own, so the shared models stay exactly what the migrations build."""


class CaseNote(UuidPrimaryKey, OtherBase):
    """Stands for a model another change adds, such as the case history."""

    __tablename__ = "test_case_note"

    case_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    body_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    body = EncryptedField("body_enc", TextCodec())

    def data_key(self, version: int | None = None) -> tuple[bytes, int]:
        session = object_session(self)
        assert session is not None
        return session.get_one(Case, self.case_id).data_key(version)


@pytest.fixture
def cases(app: Flask, db_session: Session) -> list[Case]:
    user = make_user(username="sofia")
    names = [("Šarūnas", "Petrauskas"), ("Liis", "Jõgi"), ("Mart", "Tamm")]
    with app.app_context():
        ids = [open_case(db_session, user, given_name=g, family_name=f) for g, f in names]
    return [db_session.get_one(Case, case_id) for case_id in ids]


def _children(db_session: Session) -> dict[uuid.UUID, Child]:
    db_session.expire_all()
    return {c.case_id: c for c in db_session.scalars(select(Child))}


def _tokens(db_session: Session) -> list[tuple[Any, ...]]:
    rows = db_session.execute(
        select(BlindIndexEntry.row_id, BlindIndexEntry.field, BlindIndexEntry.token)
    )
    return sorted(tuple(r) for r in rows)


def test_one_case_gets_a_new_key_and_keeps_its_values(
    app: Flask, db_session: Session, cases: list[Case]
) -> None:
    target, other = cases[0], cases[1]
    before = {k: c.given_name_enc for k, c in _children(db_session).items()}
    tokens = _tokens(db_session)
    result = app.test_cli_runner().invoke(
        args=["keys", "rotate-dek", "--case", target.reference.lower()]
    )
    assert result.exit_code == 0, result.output
    assert f"case {target.reference} now has a new data key (version 2)" in result.output
    children = _children(db_session)
    assert children[target.id].given_name_enc != before[target.id]
    for blob in (children[target.id].given_name_enc, children[target.id].sex_enc):
        assert key_version_of(blob) == 2
    with app.app_context():
        assert children[target.id].given_name == "Šarūnas"
        assert children[target.id].family_name == "Petrauskas"
    assert children[other.id].given_name_enc == before[other.id]
    assert db_session.get_one(Case, other.id).dek_version == 1
    assert db_session.scalar(select(func.count()).select_from(PreviousCaseKey)) == 0
    assert _tokens(db_session) == tokens  # values unchanged, so tokens too
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.action == "key.rotate")).all()
    assert [e.case_ref for e in events] == [target.reference]
    assert_chain_verifies(db_session)


def test_an_interrupted_case_rotation_still_reads_and_is_finished_not_repeated(
    app: Flask,
    client: FlaskClient,
    db_session: Session,
    cases: list[Case],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = cases[0]
    finish = dek_rotation._finish
    monkeypatch.setattr(
        dek_rotation, "_finish", lambda *a: (_ for _ in ()).throw(KeyboardInterrupt)
    )
    crashed = app.test_cli_runner().invoke(args=["keys", "rotate-dek", "--case", target.reference])
    assert crashed.exit_code != 0
    db_session.expire_all()
    assert db_session.get_one(Case, target.id).dek_version == 2
    assert db_session.scalar(select(PreviousCaseKey.dek_version)) == 1
    assert key_version_of(_children(db_session)[target.id].given_name_enc) == 1
    login(client, "sofia")
    page = client.get(f"/cases/{target.id}")
    assert "Šarūnas" in page.text and "Unreadable" not in page.text  # the old key still opens
    monkeypatch.setattr(dek_rotation, "_finish", finish)
    resumed = app.test_cli_runner().invoke(args=["keys", "rotate-dek", "--case", target.reference])
    assert resumed.exit_code == 0, resumed.output
    assert "finished its interrupted key rotation (version 2)" in resumed.output
    assert key_version_of(_children(db_session)[target.id].given_name_enc) == 2
    assert db_session.scalar(select(func.count()).select_from(PreviousCaseKey)) == 0
    assert "Šarūnas" in client.get(f"/cases/{target.id}").text


def test_rotating_all_cases_resumes_where_it_stopped(
    app: Flask, db_session: Session, cases: list[Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    finish, calls = dek_rotation._finish, {"n": 0}

    def crash_in_the_second_batch(*args: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        finish(*args)

    monkeypatch.setattr(dek_rotation, "_finish", crash_in_the_second_batch)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["keys", "rotate-dek", "--all", "--batch-size", "2"]).exit_code != 0
    monkeypatch.setattr(dek_rotation, "_finish", finish)
    result = runner.invoke(args=["keys", "rotate-dek", "--all", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "rotated the data keys of 3 cases" in result.output
    db_session.expire_all()
    assert sorted(c.dek_version for c in db_session.scalars(select(Case))) == [2, 2, 2]
    assert all(key_version_of(c.family_name_enc) == 2 for c in _children(db_session).values())
    run = db_session.scalars(select(KeyRotationRun)).one()
    assert run.finished_at is not None and run.done == 3
    assert_chain_verifies(db_session)


def test_rotation_reaches_every_model_with_encrypted_fields(
    app: Flask, db_session: Session, cases: list[Case]
) -> None:
    with as_migration(db_session.connection()):
        OtherBase.metadata.create_all(db_session.connection())
    target = cases[0]
    with app.app_context():
        note = CaseNote(case_id=target.id)
        db_session.add(note)
        note.body = "Told the police about the flat on Vilniaus gatvė."
        db_session.commit()
        registries = (Base.registry, OtherBase.registry)
        found = {m.model for m in encrypted_models(*registries)}
        from casework.models import BreakGlassGrant, CaseFlag, CaseHistoryEntry, MeasureResponse

        # Found by their descriptors, whoever wrote the model, including one from elsewhere.
        assert {
            Child,
            CaseNote,
            BreakGlassGrant,
            CaseHistoryEntry,
            CaseFlag,
            MeasureResponse,
        } <= found
        batches = Batches(registries=registries, size=1)
        assert rotate_case(db_session, current_keyring(), target, batches)
        db_session.expire_all()
        stored = db_session.get_one(CaseNote, note.id)
        assert stored.body_enc is not None and key_version_of(stored.body_enc) == 2
        assert stored.body == "Told the police about the flat on Vilniaus gatvė."


def test_a_model_that_names_no_case_is_refused_by_name() -> None:
    class Orphans(DeclarativeBase):
        pass

    class Orphan(UuidPrimaryKey, Orphans):
        __tablename__ = "test_orphan"
        secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
        secret = EncryptedField("secret_enc", TextCodec())

    with pytest.raises(TypeError, match="Orphan has encrypted fields but no column 'case_id'"):
        encrypted_models(Orphans.registry)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give either --case REF or --all"),
        (["--all", "--case", "CW-1"], "give either --case REF or --all"),
        (["--case", "CW-2026-NOSUCH"], "no case has the reference 'CW-2026-NOSUCH'"),
        (["--all", "--batch-size", "0"], "Invalid value for '--batch-size'"),
    ],
)
def test_bad_rotation_requests_are_refused_plainly(
    app: Flask, db_session: Session, cases: list[Case], args: list[str], message: str
) -> None:
    result = app.test_cli_runner().invoke(args=["keys", "rotate-dek", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert db_session.scalar(select(func.max(Case.dek_version))) == 1


def test_a_users_change_during_re_encryption_wins_and_the_batch_is_retried(
    app: Flask, db_session: Session, cases: list[Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Optimistic locking: a row changed after the rotation read it is read again."""
    target, reencrypt_row, calls = cases[0], dek_rotation._reencrypt_row, {"n": 0}

    def a_user_saves_meanwhile(row: Any, model: Any) -> int:
        calls["n"] += 1
        if calls["n"] == 1:
            db_session.execute(  # as another session would: the loaded row is not told
                update(Child)
                .where(Child.id == row.id)
                .values(version=Child.version + 1)
                .execution_options(synchronize_session=False)
            )
        return reencrypt_row(row, model)

    monkeypatch.setattr(dek_rotation, "_reencrypt_row", a_user_saves_meanwhile)
    with app.app_context():
        rotate_case(db_session, current_keyring(), target)
    assert calls["n"] >= 3  # the first attempt, its retry, and the final pass
    child = _children(db_session)[target.id]
    assert key_version_of(child.given_name_enc) == 2
    with app.app_context():
        assert child.given_name == "Šarūnas"


def test_a_case_erased_while_all_keys_rotate_is_skipped_and_stays_erased(
    app: Flask, db_session: Session, cases: list[Case], monkeypatch: pytest.MonkeyPatch
) -> None:
    victim, swap = cases[1], dek_rotation._swap_key

    def erased_just_before(session: Session, keyring: Any, case: Case, actor: Any) -> None:
        if case.id == victim.id:  # read before, erased before the compare-and-set lands
            session.execute(
                update(Case)
                .where(Case.id == victim.id)
                .values(wrapped_dek=b"")
                .execution_options(synchronize_session=False)
            )
        swap(session, keyring, case, actor)

    monkeypatch.setattr(dek_rotation, "_swap_key", erased_just_before)
    result = app.test_cli_runner().invoke(args=["keys", "rotate-dek", "--all"])
    assert result.exit_code == 0, result.output
    db_session.expire_all()
    assert db_session.get_one(Case, victim.id).wrapped_dek == b""
    assert db_session.scalar(select(func.count()).select_from(PreviousCaseKey)) == 0
    assert sorted(c.dek_version for c in db_session.scalars(select(Case))) == [1, 2, 2]
