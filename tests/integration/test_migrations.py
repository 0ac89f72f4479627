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
