"""An erasure leaves no copy of the destroyed key behind: on SQLite the write-ahead log
is truncated after it; on PostgreSQL the command says what VACUUM and WAL retention
mean."""

from __future__ import annotations

from pathlib import Path

from casework import db
from casework.models import Case
from tests import factories
from tests.databases import fresh_database, migrate
from tests.keys import app_for


def _erase_one(url: str, tmp_path: Path) -> tuple[bytes, str]:
    """Open a case, erase it with `casework cases erase`; its old wrapped key, the output."""
    with app_for(url, tmp_path) as app:
        with app.app_context():
            session = db.session()
            factories.bind(session)
            user = factories.make_user(username="liga")
            case = session.get(Case, factories.open_case(session, user))
            assert case is not None
            wrapped, reference = bytes(case.wrapped_dek), case.reference
        result = app.test_cli_runner().invoke(
            args=["cases", "erase", reference, "--reason", "duplicate", "--yes"]
        )
        assert result.exit_code == 0, result.output
        return wrapped, result.output


def test_sqlite_erasure_truncates_the_write_ahead_log(tmp_path: Path) -> None:
    path = tmp_path / "erase.sqlite3"
    url = f"sqlite:///{path}"
    migrate(url)
    wrapped, output = _erase_one(url, tmp_path)
    assert "the write-ahead log is truncated" in output
    wal = Path(f"{path}-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    assert wrapped not in path.read_bytes()


def test_the_erase_command_names_vacuum_on_postgresql(tmp_path: Path) -> None:
    with fresh_database(tmp_path, "erasewal") as url:
        if url.startswith("sqlite"):
            # The same command on SQLite says what it did with the log instead.
            migrate(url)
            _wrapped, output = _erase_one(url, tmp_path)
            assert "write-ahead log" in output
            return
        migrate(url)
        _wrapped, output = _erase_one(url, tmp_path)
        assert "VACUUM case_file, previous_case_key, blind_index" in output
