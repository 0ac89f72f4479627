"""`casework backup` and `casework restore`.

SQLite: the online backup API copies a consistent snapshot while the app runs (a plain
file copy of a live database can miss what is still in its -wal file, or catch a page
half-written, and still open). PostgreSQL: `pg_dump --format=custom` (a consistent
snapshot too), restored with `pg_restore`.

A restore goes into an empty database only, and only when the configured key-encryption
key opens the backup's own check values (table kek_version): a backup restored under
another key would start, then fail at the first case. After restoring, the audit chain
is verified and the application role's grants applied.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from casework import db
from casework.audit.checkpoints import current_checkpointer
from casework.audit.verify import verify_database
from casework.cli.privileges import apply_grants
from casework.crypto.aead import FieldIntegrityError
from casework.crypto.kek import KekProvider, LocalKek
from casework.db import make_engine
from casework.keys.keycheck import check_aad
from casework.settings import Settings

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
EXIT_REFUSED = 2


class BackupError(click.ClickException):
    exit_code = EXIT_REFUSED


@dataclass(frozen=True)
class CheckValue:
    version: int
    value: bytes
    retired: bool


def _settings() -> Settings:
    settings: Settings = current_app.config["CASEWORK"]
    return settings


def libpq_url(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq (pg_dump, pg_restore) understands it."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


# -- backup ------------------------------------------------------------------------------


def backup_sqlite(database_path: Path, target: Path) -> None:
    """Copy a consistent snapshot of a live SQLite database to `target` (mode 0600)."""
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    source = sqlite3.connect(f"file:{database_path}?mode=ro", uri=True)
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)
        result = destination.execute("PRAGMA integrity_check").fetchone()
        if result is None or result[0] != "ok":
            raise BackupError(f"the copy in {target} does not pass SQLite's integrity check")
        # One self-contained file: no -wal beside it.
        destination.execute("PRAGMA journal_mode = DELETE")
    finally:
        destination.close()
        source.close()


def backup_postgresql(url: str, target: Path) -> None:
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.close(fd)
    result = subprocess.run(  # noqa: S603 - pg_dump with our own arguments
        [
            pg_dump,
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            "--file",
            str(target),
            "--dbname",
            libpq_url(url),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        target.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[:500]}")


@click.command("backup", help="Write a consistent backup of the database to DIRECTORY.")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), required=False)
@click.option(
    "--keep",
    type=click.IntRange(1, 10_000),
    help="Then delete all but the newest KEEP backups in DIRECTORY.",
)
@with_appcontext
def backup_command(directory: Path | None, keep: int | None) -> None:
    settings = _settings()
    folder = directory or settings.instance_path / "backups"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    url = settings.database_url
    if url.startswith("sqlite"):
        database_path = Path(make_url(url).database or "")
        target = folder / f"casework-{_stamp()}.sqlite3"
        backup_sqlite(database_path, target)
        pattern = "casework-*.sqlite3"
    else:
        target = folder / f"casework-{_stamp()}.pgdump"
        backup_postgresql(url, target)
        pattern = "casework-*.pgdump"
    click.echo(f"backup written to {target} ({target.stat().st_size} bytes)")
    if keep is not None:
        for old in sorted(folder.glob(pattern))[:-keep]:
            old.unlink()
            click.echo(f"removed the older backup {old}")


# -- restore -----------------------------------------------------------------------------


def kind_of(path: Path) -> str:
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise BackupError(f"cannot read {path}: {exc.strerror}") from None
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(f"{path} is neither a SQLite backup nor a pg_dump custom-format file")


def check_values_sqlite(path: Path) -> list[CheckValue]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute(
            "SELECT version, check_value, retired_at IS NOT NULL FROM kek_version"
        ).fetchall()
    except sqlite3.DatabaseError:
        return []
    finally:
        connection.close()
    return [CheckValue(int(v), bytes(c), bool(r)) for v, c, r in rows]


_COPY = re.compile(r"^COPY public\.kek_version \(([^)]*)\) FROM stdin;$")


def check_values_pgdump(path: Path) -> list[CheckValue]:
    """The kek_version rows of a custom-format dump, read by pg_restore without a
    database (it writes the table's COPY data as text)."""
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise BackupError("pg_restore is not installed (Debian: apt-get install postgresql-client)")
    result = subprocess.run(  # noqa: S603 - pg_restore with our own arguments
        [pg_restore, "--data-only", "--table=kek_version", "--file=-", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore cannot read {path}: {result.stderr.strip()[:300]}")
    values: list[CheckValue] = []
    columns: list[str] | None = None
    for line in result.stdout.splitlines():
        if columns is None:
            match = _COPY.match(line)
            if match:
                columns = [c.strip() for c in match.group(1).split(",")]
            continue
        if line == "\\.":
            break
        row = dict(zip(columns, line.split("\t"), strict=True))
        raw = row["check_value"]
        if not raw.startswith("\\\\x"):
            raise BackupError(f"{path}: an unexpected check value encoding")
        values.append(
            CheckValue(int(row["version"]), bytes.fromhex(raw[3:]), row["retired_at"] != "\\N")
        )
    return values


def _opens(provider: KekProvider, values: list[CheckValue]) -> int | None:
    for value in values:
        try:
            provider.open(value.value, check_aad(value.version))
        except FieldIntegrityError:
            continue
        return value.version
    return None


def check_kek(values: list[CheckValue], settings: Settings, path: Path) -> int:
    """The KEK version the configured key opens in the backup; refuses otherwise."""
    if not values:
        raise BackupError(
            f"{path} holds no key check values (table kek_version), so it cannot be shown to"
            " fit the configured key-encryption key; nothing was restored"
        )
    current = LocalKek(settings.kek, settings.kek_source)
    version = _opens(current, values)
    if version is None:
        raise BackupError(
            f"{settings.kek_source}: this key-encryption key does not open the check values of"
            f" {path}: the backup was made under another key. Set the key that was in use"
            " when the backup was made; nothing was restored"
        )
    live = {v.version for v in values if not v.retired}
    previous = (
        _opens(LocalKek(settings.kek_previous, settings.kek_previous_source), values)
        if settings.kek_previous
        else None
    )
    missing = live - {version, previous}
    if missing:
        raise BackupError(
            f"data keys in {path} are wrapped by key-encryption key version {min(missing)} as"
            " well: set CASEWORK_KEK_PREVIOUS to it; nothing was restored"
        )
    return version


def _ensure_empty(url: str) -> None:
    engine = make_engine(url)
    try:
        tables = inspect(engine).get_table_names()
    finally:
        engine.dispose()
    if tables:
        raise BackupError(
            "the database in CASEWORK_DATABASE_URL is not empty; restore into a new, empty"
            " database (docs/operations.md); nothing was restored"
        )


def restore_sqlite(path: Path, url: str) -> None:
    target = Path(make_url(url).database or "")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)
        destination.execute("PRAGMA journal_mode = WAL")
    finally:
        destination.close()
        source.close()
    os.chmod(target, 0o600)


def restore_postgresql(path: Path, url: str) -> None:
    pg_restore = shutil.which("pg_restore")
    if pg_restore is None:
        raise BackupError("pg_restore is not installed (Debian: apt-get install postgresql-client)")
    result = subprocess.run(  # noqa: S603 - pg_restore with our own arguments
        [
            pg_restore,
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            "--dbname",
            libpq_url(url),
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed; nothing was restored: {result.stderr[:500]}")


@click.command(
    "restore",
    help="Restore BACKUP into the empty database of CASEWORK_DATABASE_URL (as the owner), "
    "after checking that the configured key-encryption key fits it; then verify the audit "
    "chain.",
)
@click.argument("backup", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@with_appcontext
def restore_command(backup: Path) -> None:
    settings = _settings()
    url = settings.database_url
    kind = kind_of(backup)
    target = "sqlite" if url.startswith("sqlite") else "postgresql"
    if kind != target:
        raise BackupError(f"{backup} is a {kind} backup, but the database is {target}")
    values = check_values_sqlite(backup) if kind == "sqlite" else check_values_pgdump(backup)
    version = check_kek(values, settings, backup)
    _ensure_empty(url)
    db.database(current_app).dispose()
    if kind == "sqlite":
        restore_sqlite(backup, url)
    else:
        restore_postgresql(backup, url)
    click.echo(f"restored {backup} (key-encryption key version {version} fits)")
    apply_grants()
    engine = make_engine(url)
    try:
        from sqlalchemy.orm import Session

        with Session(engine) as session:
            report = verify_database(session, current_checkpointer().signer.public_key)
    finally:
        engine.dispose()
    if report.damage is not None:
        click.echo(
            f"the restored audit log is DAMAGED: first bad event {report.damage.seq}"
            f" ({report.damage.kind}): {report.damage.detail}",
            err=True,
        )
        raise SystemExit(1)
    click.echo(
        f"audit log intact: {report.count} events, {report.unsigned} after the last checkpoint"
    )
    click.echo(
        "compare it with the checkpoint file as well: casework audit verify"
        " (events after the backup show as missing there; docs/operations.md)"
    )
