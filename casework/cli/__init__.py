"""The `casework` command: a Flask click group with database, user and demo commands."""

from __future__ import annotations

from pathlib import Path

import click
from alembic.config import Config
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from casework import db
from casework.cli.privileges import apply_grants
from casework.db import MIGRATIONS


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["database_url"] = url
    return config


@click.group("db", help="Database schema migrations.")
def db_group() -> None:
    pass


@db_group.command("upgrade", help="Upgrade the database to the newest schema (or REVISION).")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    from alembic import command

    url = current_app.config["CASEWORK"].database_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url), revision)
    click.echo(f"database at {revision}")
    apply_grants()


@db_group.command(
    "grant",
    help="Give DATABASE_APP_ROLE exactly the application's privileges (PostgreSQL; run as "
    "the owner; `db upgrade` does it too).",
)
@with_appcontext
def db_grant() -> None:
    if not current_app.config["CASEWORK"].database_app_role:
        raise click.ClickException("set CASEWORK_DATABASE_APP_ROLE to the application's role")
    apply_grants()


@db_group.command("downgrade", help="Downgrade the database to REVISION.")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    from alembic import command

    command.downgrade(alembic_config(current_app.config["CASEWORK"].database_url), revision)
    click.echo(f"database at {revision}")
    apply_grants()


@db_group.command("revision", help="Write a new migration, compared against the models.")
@click.option("-m", "--message", required=True)
@with_appcontext
def db_revision(message: str) -> None:
    from alembic import command

    command.revision(
        alembic_config(current_app.config["CASEWORK"].database_url),
        message=message,
        autogenerate=True,
    )


@click.group("users", help="Manage user accounts.")
def users_group() -> None:
    pass


@users_group.command("add", help="Create a user and print a one-time enrolment link for them.")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="The person's full name.")
@click.option("--role", required=True, help="One of the roles in the access policy.")
@click.option("--organisation", required=True, help="The organisation's exact name.")
@with_appcontext
def users_add(username: str, display_name: str, role: str, organisation: str) -> None:
    from casework.audit.events import Actor
    from casework.auth import enrolment
    from casework.auth.accounts import AccountError, create_user
    from casework.models import Organisation

    settings = current_app.config["CASEWORK"]
    session = db.session()
    org = session.scalar(select(Organisation).where(Organisation.name == organisation))
    if org is None:
        raise click.ClickException(f"no organisation named {organisation!r}")
    actor = Actor(username="cli")
    try:
        user = create_user(
            session,
            username=username,
            display_name=display_name,
            role=role,
            organisation=org,
            created_by=actor,
        )
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    token = enrolment.issue(session, settings, user, actor)
    session.commit()
    click.echo(f"created {user.username} ({user.role}, {org.name})")
    click.echo(
        f"enrolment link (works once, {settings.enrolment_link_hours} hours): "
        f"{settings.public_url.rstrip('/')}/enrol/{token}"
    )


@click.group("orgs", help="Manage organisations.")
def orgs_group() -> None:
    pass


@orgs_group.command("add", help="Create an organisation.")
@click.argument("name")
@click.option("--kind", required=True, help="police, social_services, ngo, prosecution ...")
@click.option("--region", required=True)
@click.option(
    "--country",
    default=None,
    help="ISO 3166 code (FI, LV, ...): its users' time zone until they choose their own.",
)
@with_appcontext
def orgs_add(name: str, kind: str, region: str, country: str | None) -> None:
    from casework.locales import COUNTRIES
    from casework.models import Organisation, OrganisationKind

    if kind not in OrganisationKind._value2member_map_:
        kinds = ", ".join(k.value for k in OrganisationKind)
        raise click.ClickException(f"unknown kind {kind!r}; kinds: {kinds}")
    if country is not None and country.upper() not in COUNTRIES:
        raise click.ClickException(
            f"unknown country {country!r}; countries: {', '.join(COUNTRIES)}"
        )
    session = db.session()
    if session.scalar(select(Organisation.id).where(Organisation.name == name)):
        raise click.ClickException(f"an organisation named {name!r} exists")
    session.add(
        Organisation(
            name=name, kind=kind, region=region, country=country.upper() if country else None
        )
    )
    session.commit()
    click.echo(f"created organisation {name}")


@click.command("demo", help="Seed fictional demo data (demo mode only).")
@click.option("--if-empty", is_flag=True, help="Do nothing when users exist already.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    from casework.demo import DEMO_USERS, seed

    settings = current_app.config["CASEWORK"]
    if not settings.demo:
        raise click.ClickException("demo data needs demo mode: set CASEWORK_DEMO=1")
    from casework.models import User

    if db.session().scalar(select(User.id).limit(1)) is not None:
        if if_empty:
            click.echo("demo data present")
            return
        raise click.ClickException("the database has users already; demo data goes in a new one")
    count = seed(db.session())
    click.echo(f"seeded {count} fictional cases; demo users: {', '.join(DEMO_USERS)}")


def register_commands(app: Flask) -> None:
    from casework.cli.audit import audit_group
    from casework.cli.backup import backup_command, restore_command
    from casework.cli.cases import cases_group
    from casework.cli.keys import keys_group
    from casework.cli.serve import serve_command
    from casework.cli.stats import stats_group
    from casework.cli.today import notifications_group, reminders_group
    from casework.cli.translations import translations_group

    commands = (
        db_group,
        users_group,
        orgs_group,
        demo_command,
        keys_group,
        cases_group,
        serve_command,
        backup_command,
        restore_command,
    )
    groups = (audit_group, reminders_group, notifications_group, stats_group, translations_group)
    for command in (*commands, *groups):
        app.cli.add_command(command)
