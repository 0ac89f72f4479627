"""Re-applying the application role's PostgreSQL privileges from the command line
(`casework db upgrade`, `db downgrade`, `db grant`, `restore`)."""

from __future__ import annotations

import click
from flask import current_app

from casework import db


def apply_grants() -> None:
    """Give the application role (DATABASE_APP_ROLE) its privileges, if one is set."""
    from casework import grants

    role = current_app.config["CASEWORK"].database_app_role
    if not role:
        return
    engine = db.make_engine(current_app.config["CASEWORK"].database_url)
    try:
        with engine.begin() as connection:
            applied = grants.apply(connection, role)
    except grants.GrantError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()
    if applied:
        click.echo(f"privileges of the application role {role} applied")
    else:
        click.echo("no roles on SQLite: DATABASE_APP_ROLE has nothing to apply")
