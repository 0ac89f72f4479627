"""A leaked database reveals no child: scan the raw SQLite file, or a pg_dump of the
PostgreSQL database, after seeding the demo, for every demo child's names and dates of
birth, in clear text and (as pg_dump writes binary columns) in hex."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from casework import db
from casework.crypto.blind_index import normalise
from casework.demo import CHILDREN, ORGANISATIONS, USERS, seed
from casework.models import Case, Child
from tests.keys import app_for, fresh_url

# Shorter strings turn up by chance in a few hundred kilobytes of ciphertext and hashes;
# short names are searched for as part of the full name instead.
MIN_NEEDLE_BYTES = 5


def _dump(url: str, tmp_path: Path) -> bytes:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(str(parsed.database))
        return b"".join(p.read_bytes() for p in sorted(path.parent.glob(path.name + "*")))
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is needed to scan a PostgreSQL database"
    target = parsed.set(drivername="postgresql").render_as_string(hide_password=False)
    out = tmp_path / "dump.sql"
    subprocess.run(  # noqa: S603 - a fixed program on a URL the test made itself
        [pg_dump, "--format=plain", "--no-owner", f"--file={out}", target], check=True
    )
    return out.read_bytes()


def _needles(births: list[date]) -> set[str]:
    staff = " ".join(
        [*(d for d, _r, _o in USERS.values()), *(n for n, _k, _r, _c in ORGANISATIONS)]
    )
    needles: set[str] = set()
    for given, family, _sex in CHILDREN:
        needles |= {f"{given} {family}", family, normalise(family), normalise(f"{given} {family}")}
        needles |= {unicodedata.normalize("NFD", family)}
        if given not in staff:  # "Aino" is also Aino Auditor, a member of staff
            needles |= {given, normalise(given)}
    for born in births:
        needles |= {born.isoformat(), born.strftime("%d.%m.%Y"), born.strftime("%Y%m%d")}
    return {n for n in needles if len(n.encode()) >= MIN_NEEDLE_BYTES}


def test_the_demo_database_holds_no_child_identity_in_clear_text(tmp_path: Path) -> None:
    with fresh_url(tmp_path, "scan") as url:
        with app_for(url, tmp_path, DEMO=True) as app, app.app_context():
            assert seed(db.session()) == len(CHILDREN)
            births = [c.date_of_birth for c in db.session().scalars(select(Child))]
            erased = db.session().scalars(select(Case).order_by(Case.reference)).first()
            assert erased is not None and erased.wrapped_dek is not None
            destroyed_key = erased.wrapped_dek
            result = app.test_cli_runner().invoke(
                args=["cases", "erase", erased.reference, "--reason", "duplicate", "--yes"]
            )
            assert result.exit_code == 0, result.output
        dump = _dump(url, tmp_path)
    assert sum(1 for b in births if b) >= 20
    needles = _needles([b for b in births if b])
    assert len(needles) > 60
    # The scan can see: staff names are stored in clear, and it finds them.
    assert b"Sofia Social-Worker" in dump
    leaked = [n for n in sorted(needles) if n.encode() in dump or n.encode().hex().encode() in dump]
    assert leaked == []
    # Crypto-shredding: the erased case's wrapped data key is gone from the file itself.
    assert destroyed_key not in dump and destroyed_key.hex().encode() not in dump


@pytest.mark.parametrize("name", ["Šarūnas"])
def test_the_scan_would_see_a_name_stored_in_clear(tmp_path: Path, name: str) -> None:
    """The scan is not blind: a name written in clear into a binary column is found."""
    from sqlalchemy import update

    with fresh_url(tmp_path, "control") as url:
        with app_for(url, tmp_path, DEMO=True) as app, app.app_context():
            seed(db.session())
            session = db.session()
            session.execute(update(Child).values(sex_enc=name.encode()))
            session.commit()
        dump = _dump(url, tmp_path)
    assert name.encode() in dump or name.encode().hex().encode() in dump


def test_sqlite_zeroes_what_it_deletes_or_overwrites(tmp_path: Path) -> None:
    """Without secure_delete, a destroyed key can linger in the file's free space."""
    from casework.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'pragma.sqlite3'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    engine.dispose()
