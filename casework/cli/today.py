"""`casework reminders run` and `casework notifications send`, for cron or a systemd
timer (docs/reminders.md). Both are idempotent and run one at a time: a second run
started meanwhile says so and does nothing (exit status 0)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from casework import db
from casework.casefile.today.outbox import OUTBOX_LOCK_KEY, SmtpConnection, send_outbox
from casework.casefile.today.reminders import one_run, run_rules
from casework.casefile.today.rules import load_rules


@click.group("reminders", help="Reminder rules that create tasks and marks.")
def reminders_group() -> None:
    pass


@reminders_group.command("run", help="Run every reminder rule once (from cron or a timer).")
@with_appcontext
def reminders_run() -> None:
    settings = current_app.config["CASEWORK"]
    rules = load_rules(settings.reminders_file)
    database = db.database(current_app)
    with one_run(database.engine, settings.instance_path) as mine:
        if not mine:
            click.echo("another run of the reminder rules is in progress; nothing done")
            return
        result = run_rules(db.session(), rules)
    made = ", ".join(f"{rule} {n}" for rule, n in sorted({**result.tasks, **result.marks}.items()))
    click.echo(
        f"reminders: {sum(result.tasks.values())} tasks and {sum(result.marks.values())} marks "
        f"created{' (' + made + ')' if made else ''}; {result.resolved} marks resolved"
    )
    if result.skipped:
        click.echo(f"{result.skipped} cases could not be read and were skipped", err=True)


@click.group("notifications", help="Notifications by e-mail.")
def notifications_group() -> None:
    pass


@notifications_group.command("send", help="Send the e-mails waiting in the outbox.")
@with_appcontext
def notifications_send() -> None:
    settings = current_app.config["CASEWORK"]
    if not settings.mail_server:
        click.echo("CASEWORK_MAIL_SERVER is not set; nothing sent, the outbox keeps waiting")
        return
    database = db.database(current_app)
    with one_run(database.engine, settings.instance_path, OUTBOX_LOCK_KEY) as mine:
        if not mine:
            click.echo("another send is in progress; nothing done")
            return
        with SmtpConnection(settings) as connection:
            result = send_outbox(db.session(), settings, connection)
    click.echo(
        f"notifications: {result.sent} e-mails sent for {result.rows} notifications; "
        f"{result.failed} failed, {result.given_up} given up"
    )
    for error in dict.fromkeys(result.errors):
        click.echo(f"failed: {error}", err=True)
