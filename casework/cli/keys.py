"""`casework keys`: status, KEK and DEK rotation, blind-index rebuild. Every command
runs in batches that commit one by one, so it can be interrupted and run again."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from casework import db
from casework.crypto.aead import key_version_of
from casework.crypto.keyring import current_keyring
from casework.keys.dek_rotation import RotationConflict, rotate_all, rotate_case
from casework.keys.reindex import reindex
from casework.keys.rotation import DEFAULT_BATCH, Batches, rotate_kek
from casework.models import Case, CaseStatus, KekVersion, KeyRotationRun, PreviousCaseKey
from casework.models.case import has_data_key

REPORT_EVERY = 10_000

batch_option = click.option(
    "--batch-size",
    default=DEFAULT_BATCH,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="Cases per transaction.",
)


class _Counter:
    """Reports progress now and then on stderr, so a long run shows it is alive."""

    def __init__(self, label: str) -> None:
        self.label, self.done, self.next = label, 0, REPORT_EVERY

    def __call__(self, count: int) -> None:
        self.done += count
        if self.done >= self.next:
            click.echo(f"  ... {self.done} {self.label}", err=True)
            self.next += REPORT_EVERY


@click.group("keys", help="Key-encryption key, case data keys and the blind index.")
def keys_group() -> None:
    pass


@keys_group.command("status", help="Show key versions and any rotation under way.")
@with_appcontext
def status() -> None:
    session, keyring = db.session(), current_keyring()
    click.echo(f"key-encryption key in use: version {keyring.kek_version}")
    for row in session.scalars(select(KekVersion).order_by(KekVersion.version)):
        state = f"retired {row.retired_at:%Y-%m-%d}" if row.retired_at else "live"
        click.echo(f"  version {row.version}: {state}")
    counts: dict[int, int] = {}
    for wrapped in session.scalars(select(Case.wrapped_dek).where(has_data_key())):
        counts[key_version_of(wrapped)] = counts.get(key_version_of(wrapped), 0) + 1
    for version, count in sorted(counts.items()):
        click.echo(f"data keys wrapped by version {version}: {count}")
    erased = session.scalar(select(func.count()).where(Case.status == CaseStatus.ERASED))
    rotating = session.scalar(select(func.count(func.distinct(PreviousCaseKey.case_id))))
    click.echo(f"erased cases: {erased}; cases with a data-key rotation under way: {rotating}")
    for run in session.scalars(select(KeyRotationRun).where(KeyRotationRun.finished_at.is_(None))):
        click.echo(f"unfinished: {run.kind} {run.scope} since {run.started_at:%Y-%m-%d %H:%M}")


@keys_group.command(
    "rotate-kek",
    help="Rewrap every data key and the blind-index key under the current key-encryption "
    "key (CASEWORK_KEK), opening the rest with CASEWORK_KEK_PREVIOUS; then retire the old "
    "version. Field data is not touched. Safe to interrupt and run again.",
)
@batch_option
@click.option(
    "--yes",
    is_flag=True,
    help="Do not ask whether every app server runs with both keys (for scripts).",
)
@with_appcontext
def rotate_kek_command(batch_size: int, yes: bool) -> None:
    keyring = current_keyring()
    # A server still running with the old key alone cannot open what is rewrapped.
    if len(keyring.known_versions) > 1 and not yes:
        click.confirm(
            "Does every app server run with the new key as CASEWORK_KEK and the old one as "
            "CASEWORK_KEK_PREVIOUS?",
            abort=True,
        )
    batches = Batches(size=batch_size, progress=_Counter("cases checked"))
    report = rotate_kek(db.session(), keyring, batches)
    if not report.rewrapped and not report.retired:
        click.echo(
            f"every key is wrapped by key-encryption key version {report.version} already. To "
            "rotate: set the new key as CASEWORK_KEK_FILE and the old one as "
            "CASEWORK_KEK_PREVIOUS_FILE, restart, and run this again."
        )
        return
    retired = ", ".join(str(v) for v in report.retired) or "none"
    click.echo(
        f"rewrapped {report.rewrapped} keys under key-encryption key version {report.version}; "
        f"retired version(s): {retired}. Remove CASEWORK_KEK_PREVIOUS(_FILE) and restart."
    )


@keys_group.command(
    "rotate-dek",
    help="Give a case (--case REF) or every case (--all) a new data key and re-encrypt its "
    "fields, in every model, in batches. Safe to interrupt and run again.",
)
@click.option("--case", "reference", help="The case's reference, such as CW-2026-7KX4QM.")
@click.option("--all", "all_cases", is_flag=True, help="Every case that is not erased.")
@batch_option
@with_appcontext
def rotate_dek_command(reference: str | None, all_cases: bool, batch_size: int) -> None:
    if bool(reference) == all_cases:
        raise click.UsageError("give either --case REF or --all")
    session, keyring = db.session(), current_keyring()
    if all_cases:
        done = rotate_all(session, keyring, Batches(size=batch_size, progress=_Counter("cases")))
        click.echo(f"rotated the data keys of {done} cases")
        return
    case = session.scalar(select(Case).where(Case.reference == str(reference).strip().upper()))
    if case is None:
        raise click.ClickException(f"no case has the reference {reference!r}")
    if case.status == CaseStatus.ERASED:
        raise click.ClickException(f"case {case.reference} is erased: it has no key to rotate")
    try:
        fresh = rotate_case(session, keyring, case, Batches(size=batch_size))
    except RotationConflict as exc:
        raise click.ClickException(f"{exc}; nothing was changed, try again") from None
    what = "now has a new data key" if fresh else "finished its interrupted key rotation"
    click.echo(f"case {case.reference} {what} (version {case.dek_version})")


@keys_group.command(
    "reindex",
    help="Rebuild the blind index from the encrypted values (after upgrading a database "
    "whose cases predate it, or to repair it).",
)
@batch_option
@with_appcontext
def reindex_command(batch_size: int) -> None:
    done = reindex(db.session(), Batches(size=batch_size, progress=_Counter("rows")))
    click.echo(f"reindexed {done} rows")
