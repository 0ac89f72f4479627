"""The models and the migrations agree, and every migration downgrades."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from casework.cli import alembic_config
from casework.db import MIGRATIONS, make_engine
from casework.models import Base
from tests.databases import fresh_database, owner_url


def _diff(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={"compare_type": True, "render_as_batch": conn.dialect.name == "sqlite"},
            )
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_head_matches_the_models(tmp_path: Path) -> None:
    with fresh_database(tmp_path, "schema") as url:
        command.upgrade(alembic_config(owner_url(url)), "head")
        assert _diff(url) == []
        assert _tables(url) == set(Base.metadata.tables)


def test_every_migration_downgrades_and_upgrades_again(tmp_path: Path) -> None:
    config = alembic_config("unused")
    revisions = [r.revision for r in ScriptDirectory.from_config(config).walk_revisions()]
    assert revisions, "no migrations found in " + str(MIGRATIONS)
    with fresh_database(tmp_path, "steps") as url:
        config = alembic_config(owner_url(url))
        command.upgrade(config, "head")
        for _ in revisions:
            command.downgrade(config, "-1")
        assert _tables(url) == set()
        command.upgrade(config, "head")
        assert _diff(url) == []


ACCOUNTS_REVISION = "0016_accounts"


def test_links_issued_before_the_accounts_migration_keep_working(tmp_path: Path) -> None:
    """An enrolment link handed out before the upgrade is still an enrolment link that
    needs no code: the migration does not invalidate it silently."""
    import uuid
    from datetime import datetime, timedelta

    import sqlalchemy as sa
    from sqlalchemy import text

    from casework.auth.enrolment import code_matches

    with fresh_database(tmp_path, "links") as url:
        # The schema's owner migrates and, before the privileges are granted, writes the
        # rows an older installation would hold.
        config = alembic_config(owner_url(url))
        command.upgrade(config, f"{ACCOUNTS_REVISION}-1")
        engine = make_engine(owner_url(url))
        org, user, link = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        now = datetime(2026, 12, 1, 9, 0)
        organisation = sa.table(
            "organisation",
            sa.column("id", sa.Uuid),
            sa.column("name"),
            sa.column("kind"),
            sa.column("region"),
        )
        account = sa.table(
            "user_account",
            *(sa.column(c) for c in ("username", "display_name", "password_hash", "role")),
            sa.column("id", sa.Uuid),
            sa.column("organisation_id", sa.Uuid),
            sa.column("active", sa.Boolean),
            sa.column("created_at", sa.DateTime),
            sa.column("password_changed_at", sa.DateTime),
        )
        enrolment = sa.table(
            "enrolment",
            sa.column("id", sa.Uuid),
            sa.column("user_id", sa.Uuid),
            sa.column("token_hash", sa.LargeBinary),
            sa.column("created_at", sa.DateTime),
            sa.column("created_by"),
            sa.column("expires_at", sa.DateTime),
        )
        try:
            with engine.begin() as conn:
                conn.execute(
                    sa.insert(organisation).values(id=org, name="Org", kind="ngo", region="Riga")
                )
                conn.execute(
                    sa.insert(account).values(
                        id=user,
                        username="newbie",
                        display_name="New",
                        password_hash="!unusable",
                        role="ngo_worker",
                        organisation_id=org,
                        active=True,
                        created_at=now,
                        password_changed_at=now,
                    )
                )
                conn.execute(
                    sa.insert(enrolment).values(
                        id=link,
                        user_id=user,
                        token_hash=b"\x01" * 32,
                        created_at=now,
                        created_by="root",
                        expires_at=now + timedelta(days=3),
                    )
                )
            command.upgrade(config, "head")
            with engine.connect() as conn:
                row = conn.execute(
                    text("SELECT purpose, code_hash, used_at, expires_at FROM enrolment")
                ).one()
        finally:
            engine.dispose()
        assert row.purpose == "enrol"
        assert row.code_hash is None and row.used_at is None
        assert code_matches(row.code_hash, "")
