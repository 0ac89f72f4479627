"""`casework cases erase`: crypto-shredding from the command line, for operators."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from casework import db
from casework.access.errors import CaseNotFound
from casework.audit.events import Actor, RequestContext
from casework.casefile.casewide.erasure import AlreadyErased, erase, find_case, normalise_reference
from casework.models.erasure import ErasureReason


@click.group("cases", help="Operations on whole cases.")
def cases_group() -> None:
    pass


@cases_group.command(
    "erase",
    help="Erase a case for good: destroy its data key and search tokens. Its content can "
    "never be read again; its reference and audit events remain.",
)
@click.argument("reference")
@click.option(
    "--reason",
    required=True,
    type=click.Choice([reason.value for reason in ErasureReason]),
    help="Why the case is erased (a code, never free text).",
)
@click.option("--yes", is_flag=True, help="Do not ask for the reference again (for scripts).")
@with_appcontext
def erase_command(reference: str, reason: str, yes: bool) -> None:
    session = db.session()
    try:
        case = find_case(session, reference)
    except CaseNotFound:
        raise click.ClickException(f"no case has the reference {reference!r}") from None
    except AlreadyErased:
        message = f"case {normalise_reference(reference)} is erased already"
        raise click.ClickException(message) from None
    if not yes:
        typed = click.prompt(
            f"Erasing {case.reference} cannot be undone. Type the reference again to erase it"
        )
        if normalise_reference(typed) != case.reference:
            raise click.ClickException("the reference typed does not match; nothing was erased")
    wal = erase(
        session,
        case,
        ErasureReason(reason),
        Actor(username="cli"),
        RequestContext(request_id=f"cli-erase-{case.reference}"),
    )
    click.echo(f"erased {case.reference}: its data key and search tokens are destroyed")
    if wal is True:
        click.echo("the write-ahead log is truncated: no copy of the key is left in it")
    elif wal is False:
        click.echo(
            "the write-ahead log is busy and still holds the old pages until the next"
            " checkpoint; `sqlite3 DATABASE 'PRAGMA wal_checkpoint(TRUNCATE)'` forces one",
            err=True,
        )
    else:
        click.echo(
            "PostgreSQL keeps the old row version until VACUUM and in the write-ahead log"
            " until it is recycled: run `VACUUM case_file, previous_case_key, blind_index`"
            ' as the owner (docs/operations.md, "Erasure leaves nothing behind")'
        )
