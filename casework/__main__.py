"""`casework` (and `python -m casework`): the command line, a Flask click group."""

from __future__ import annotations

import logging
import sys

import click
from flask import Flask
from flask.cli import FlaskGroup

from casework import create_app, logs
from casework.access.policy import PolicyError
from casework.settings import ConfigError


def _create_app() -> Flask:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        app = create_app()
    except (ConfigError, PolicyError) as exc:
        click.echo(f"casework: cannot start: {exc}", err=True)
        sys.exit(2)
    logs.configure(app.config["CASEWORK"].log_format)
    return app


def main() -> None:
    group = FlaskGroup(create_app=_create_app, help="Casework: case handling for child victims.")
    group.main(prog_name="casework")


if __name__ == "__main__":
    main()
