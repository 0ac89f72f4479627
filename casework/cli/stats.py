"""`casework stats`: fill in statistical records for existing cases, and export the
protected tables for national reporting."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from casework import db
from casework.audit.events import Actor, RequestContext
from casework.casefile import Selection
from casework.casefile.statistics.backfill import backfill
from casework.casefile.statistics.query import export_for_operator
from casework.codes import CodeList, current_codes


@click.group("stats", help="Statistics: de-identified records and protected tables.")
def stats_group() -> None:
    pass


@stats_group.command(
    "backfill",
    help="Write the statistical record of every case that has none (cases opened before "
    "statistics existed). Erased cases have nothing left to read and are skipped.",
)
@click.option(
    "--all", "rebuild", is_flag=True, help="Rebuild every case's record, not only missing ones."
)
@with_appcontext
def backfill_command(rebuild: bool) -> None:
    done = backfill(db.session(), Actor(username="cli"), rebuild=rebuild)
    click.echo(f"{done} statistical records written")


@stats_group.command(
    "export",
    help="Print every table as the statistics page shows it (suppressed, with k, the "
    "period and the time), as CSV or JSON. Recorded in the audit log as an export.",
)
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv")
@click.option("--year", type=int, default=None, help="Year of identification.")
@click.option("--country", default=None, help="Country code (ISO 3166-1 alpha-2).")
@click.option("--region", default=None, help="Region of the leading organisation.")
@with_appcontext
def export_command(fmt: str, year: int | None, country: str | None, region: str | None) -> None:
    from casework.access.errors import InvalidInput
    from casework.views.statistics import csv_export, json_export

    if country is not None and not current_codes().lists.has(CodeList.COUNTRY, country):
        raise click.BadParameter(f"{country!r} is not a country code", param_hint="--country")
    selection = Selection(year=year, country=country, region=region)
    try:
        readout = export_for_operator(
            db.session(),
            Actor(username="cli"),
            RequestContext(request_id="cli-stats-export"),
            selection,
        )
    except InvalidInput as exc:
        raise click.ClickException(str(exc.message)) from None
    click.echo(csv_export(readout) if fmt == "csv" else json_export(readout), nl=False)
