"""`casework audit ...`: verify the log, sign its head, export the signed checkpoints.

Exit status of `verify`: 0 the log is intact, 1 the log is damaged, 2 the checkpoint
file given cannot be used (unreadable, malformed, or signed by another key).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from casework import db
from casework.audit.checkpoint_file import CheckpointFileError, load
from casework.audit.checkpoint_log import current_checkpoint_log
from casework.audit.checkpoints import Checkpoint, current_checkpointer
from casework.audit.events import Actor
from casework.audit.maintenance import (
    ExportRefused,
    checkpoint_now,
    export_checkpoints,
    verify_and_record,
)
from casework.audit.verify import Report

CLI_ACTOR = Actor(username="cli")
EXIT_DAMAGED = 1
EXIT_BAD_CHECKPOINT_FILE = 2


@click.group("audit", help="The audit log: verify it, sign its head, export its checkpoints.")
def audit_group() -> None:
    pass


@audit_group.command(
    "verify", help="Recompute the whole chain and check every checkpoint signature."
)
@click.option(
    "--checkpoints",
    "checkpoint_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="A checkpoint file exported earlier and kept away from the database.",
)
@click.option(
    "--no-checkpoint-file",
    is_flag=True,
    help="Do not compare against AUDIT_CHECKPOINT_FILE (which is done by default).",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes to share the walk of a long log (each takes 100,000 events or more).",
)
@with_appcontext
def verify_command(checkpoint_file: Path | None, no_checkpoint_file: bool, jobs: int) -> None:
    key = current_checkpointer().signer.public_key
    extra: list[Checkpoint] = []
    if checkpoint_file is not None:
        try:
            extra = load(checkpoint_file, key)
        except CheckpointFileError as exc:
            click.echo(f"casework: the checkpoint file {checkpoint_file} {exc}", err=True)
            sys.exit(EXIT_BAD_CHECKPOINT_FILE)
    kept = None if no_checkpoint_file else current_checkpoint_log()
    try:
        report = verify_and_record(
            db.session(), CLI_ACTOR, extra_claims=extra, jobs=jobs, checkpoint_file=kept is not None
        )
    except CheckpointFileError as exc:
        where = kept.path if kept is not None else "AUDIT_CHECKPOINT_FILE"
        click.echo(f"casework: the checkpoint file {where} {exc}", err=True)
        sys.exit(EXIT_BAD_CHECKPOINT_FILE)
    if report.damage is not None:
        damage = report.damage
        click.echo(
            f"audit log DAMAGED: first bad event {damage.seq} ({damage.kind}): {damage.detail}",
            err=True,
        )
        sys.exit(EXIT_DAMAGED)
    _print_intact(report, checkpoint_file, len(extra))
    if kept is not None:
        click.echo(f"  checked against AUDIT_CHECKPOINT_FILE {kept.path}")


def _print_intact(report: Report, checkpoint_file: Path | None, from_file: int) -> None:
    click.echo("audit log intact")
    click.echo(f"  events:      {report.count}")
    if report.count:
        click.echo(f"  head:        event {report.head_seq}, hash {report.head_hash.hex()}")
    last = report.last_checkpoint
    if last is not None:
        click.echo(
            f"  checkpoints: {report.signatures_checked} signatures checked; the last covers"
            f" event {last.seq}, signed {last.signed_at:%Y-%m-%d %H:%M:%S} UTC"
            f" ({report.head_seq - last.seq} events since)"
        )
    if report.count:
        click.echo(
            f"  unsigned:    {report.unsigned} events after the last checkpoint (walked and"
            " linked; the next checkpoint signs them)"
        )
    if checkpoint_file is not None:
        click.echo(f"  checked against {checkpoint_file} ({from_file} checkpoints)")


@audit_group.command(
    "checkpoint", help="Sign the head of the log now, unless it is signed already (for cron)."
)
@with_appcontext
def checkpoint_command() -> None:
    checkpoint = checkpoint_now(db.session(), CLI_ACTOR)
    if checkpoint is None:
        click.echo("nothing to sign: the log is empty or its head is signed already")
        return
    click.echo(f"signed the head: event {checkpoint.seq}, hash {checkpoint.event_hash.hex()}")


@audit_group.command(
    "export-checkpoints",
    help="Write the signed checkpoints to FILE, for an auditor to keep away from the database.",
)
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@with_appcontext
def export_command(file: Path) -> None:
    try:
        count = export_checkpoints(db.session(), CLI_ACTOR, file)
    except ExportRefused as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"cannot write {file}: {exc.strerror}") from None
    key_id = current_checkpointer().signer.public_key.key_id
    click.echo(f"wrote {count} checkpoints to {file} (signing key {key_id[:16]}…)")
    click.echo("keep the file away from the database server; check the log against it with")
    click.echo(f"  casework audit verify --checkpoints {file}")
