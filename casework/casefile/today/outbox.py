"""Sending the mail outbox: `casework notifications send`, from cron or a systemd timer.

Rows are written in the transaction of the change that caused them, so a notification's
e-mail is never lost when the mail server is down: it waits. Each run sends one e-mail
per person for everything due, saying only how many new items wait, with a link — no
name, no reference, nothing of a case. A row is marked sent in the transaction that
follows the server's acceptance, so nothing already sent is sent again; a failure (the
server down, an address refused) is recorded on the person's rows, which are retried
with back-off (1, 2, 4 … minutes, at most six hours apart) and given up after
MAX_ATTEMPTS. One person's failure never stops the others. One run at a time (the
reminder run's lock, under a key of its own).
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from types import TracebackType

from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import utcnow
from casework.models.notification import NotificationSetting, OutboxMessage
from casework.settings import Settings

MAX_ATTEMPTS = 10
LONGEST_WAIT = timedelta(hours=6)
OUTBOX_LOCK_KEY = 0x0CA5E_0B0C5
ERROR_MAX = 200

Send = Callable[[EmailMessage], None]


@dataclass
class SendResult:
    sent: int = 0  # e-mails
    rows: int = 0  # notifications they covered
    failed: int = 0  # e-mails that failed this time (retried later unless given up)
    given_up: int = 0
    errors: list[str] = field(default_factory=list)


def backoff(attempts: int) -> timedelta:
    return min(timedelta(minutes=2 ** max(attempts - 1, 0)), LONGEST_WAIT)


def compose(settings: Settings, address: str, count: int) -> EmailMessage:
    """The whole e-mail: a count and a link. Nothing else may ever go in."""
    link = settings.public_url.rstrip("/") + "/today"
    with force_locale(settings.default_locale):
        subject = gettext("New items in Casework")
        body = ngettext(
            "You have %(num)d new item in Casework.",
            "You have %(num)d new items in Casework.",
            count,
        )
        rest = gettext("Sign in to see it: %(link)s", link=link)
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = address
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=settings.mail_from.rpartition("@")[2] or None)
    message.set_content(f"{body}\n\n{rest}\n")
    return message


class LoginRefused(smtplib.SMTPException):
    """The mail password would cross an unencrypted connection."""


class SmtpConnection:
    """One SMTP connection for a run, opened at the first message (STARTTLS, TLS or,
    for a relay on the same machine, plain), reopened after a failure.

    The server's certificate is verified (the system's authorities, or MAIL_CA_FILE's)
    and must name MAIL_SERVER; with STARTTLS a server that does not offer it is refused
    rather than spoken to in clear text. The user name and password go only over an
    encrypted connection, unless MAIL_LOGIN_WITHOUT_TLS says otherwise."""

    def __init__(self, settings: Settings, timeout: float = 30.0) -> None:
        self.settings = settings
        self.timeout = timeout
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context(cafile=str(s.mail_ca_file) if s.mail_ca_file else None)
        smtp: smtplib.SMTP
        if s.mail_security == "tls":
            smtp = smtplib.SMTP_SSL(
                s.mail_server, s.mail_port, timeout=self.timeout, context=context
            )
        else:
            smtp = smtplib.SMTP(s.mail_server, s.mail_port, timeout=self.timeout)
        try:
            if s.mail_security == "starttls":
                smtp.starttls(context=context)
            if s.mail_username:
                if s.mail_security == "none" and not s.mail_login_without_tls:
                    raise LoginRefused("not logging in over an unencrypted connection")
                smtp.login(s.mail_username, s.mail_password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def __call__(self, message: EmailMessage) -> None:
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.send_message(message)
        except (smtplib.SMTPServerDisconnected, OSError):
            self.close()
            raise

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (smtplib.SMTPException, OSError):
                self.smtp.close()
            self.smtp = None

    def __enter__(self) -> SmtpConnection:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _due(session: Session, now: datetime) -> dict[uuid.UUID, list[OutboxMessage]]:
    rows = session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.created_at)
    )
    grouped: dict[uuid.UUID, list[OutboxMessage]] = {}
    for row in rows:
        grouped.setdefault(row.user_id, []).append(row)
    return grouped


def send_outbox(session: Session, settings: Settings, send: Send) -> SendResult:
    """Send what is due (the caller holds the outbox's lock)."""
    result = SendResult()
    now = utcnow()
    for user_id, rows in _due(session, now).items():
        setting = session.get(NotificationSetting, user_id)
        address = setting.email_address if setting is not None else ""
        try:
            if not address:
                raise ValueError("no e-mail address")
            send(compose(settings, address, len(rows)))
        except (smtplib.SMTPException, OSError, ValueError) as exc:
            _failed(rows, exc, now, result)
        else:
            for row in rows:
                row.sent_at = now
                row.attempts += 1
            result.sent += 1
            result.rows += len(rows)
        session.commit()
    return result


def _failed(rows: list[OutboxMessage], exc: Exception, now: datetime, result: SendResult) -> None:
    # The error's kind and text, never the message: it names no child, but keep it short.
    reason = f"{type(exc).__name__}: {exc}"[:ERROR_MAX]
    result.failed += 1
    result.errors.append(reason)
    for row in rows:
        row.attempts += 1
        row.last_error = reason
        if row.attempts >= MAX_ATTEMPTS:
            row.failed_at = now
            result.given_up += 1
        else:
            row.next_attempt_at = now + backoff(row.attempts)
