"""Downgrading below the key tables must not lose what is needed to read a case."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import delete, select

from casework import db
from casework.cli import alembic_config
from casework.db import make_engine
from casework.models import Case, PreviousCaseKey
from tests import factories
from tests.databases import owner_url
from tests.keys import app_for, fresh_url


def test_downgrade_waits_for_a_rotation_and_keeps_erased_cases_keyless(tmp_path: Path) -> None:
    with fresh_url(tmp_path, "down") as url:
        with app_for(url, tmp_path) as app, app.app_context():
            session = db.session()
            factories.bind(session)
            user = factories.make_user()
            kept = factories.open_case(session, user)
            erased = factories.open_case(session, user, given_name="Mart")
            case = session.get_one(Case, erased)
            session.add(PreviousCaseKey(case_id=kept, dek_version=1, wrapped_dek=b"\x01" * 60))
            session.commit()
            result = app.test_cli_runner().invoke(
                args=["cases", "erase", case.reference, "--reason", "duplicate", "--yes"]
            )
            assert result.exit_code == 0, result.output
        with pytest.raises(RuntimeError, match="rotation is under way"):
            command.downgrade(alembic_config(owner_url(url)), "0007_support")
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(delete(PreviousCaseKey))
        command.downgrade(alembic_config(owner_url(url)), "0007_support")
        with engine.connect() as conn:
            rows = conn.execute(select(Case.__table__.c.id, Case.__table__.c.wrapped_dek)).all()
        keys = {row[0]: row[1] for row in rows}
        engine.dispose()
        assert keys[erased] == b"" and len(keys[kept]) > 32
