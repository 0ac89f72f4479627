"""Sending the outbox over TLS to a real SMTP server (aiosmtpd) with a throw-away
certificate authority: STARTTLS with a login the server checks, implicit TLS (SMTPS),
a certificate the sender does not trust or that names another host refused (the e-mail
stays in the outbox and goes once the certificate is trusted), a server that does not
offer STARTTLS refused rather than spoken to in clear text, and the password never sent
over an unencrypted connection."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.casefile.today.notify import CASE_HANDED
from casework.models import NotificationSetting, OutboxMessage
from tests.factories import make_organisation, make_user, open_case
from tests.mail import Certificates, Inbox, free_port, make_certificates, smtp_server
from tests.supporting import join

# A server that offers a login without TLS (or over implicit TLS, which aiosmtpd does not
# count as TLS) is what some tests need; aiosmtpd warns of it.
pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning")

USER, PASSWORD = "casework-mailer", "n0t-in-clear-text"

Configure = Callable[..., int]


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> Certificates:
    return make_certificates(tmp_path_factory.mktemp("mail-tls"))


@pytest.fixture
def configure(app: Flask, monkeypatch: pytest.MonkeyPatch, certificates: Certificates) -> Configure:
    """Point the sender at a free port, by default with STARTTLS, a login and the
    throw-away authority trusted, with these changes; returns the port."""

    def _configure(**changes: Any) -> int:
        port = free_port()
        wanted: dict[str, Any] = {
            "mail_security": "starttls",
            "mail_username": USER,
            "mail_password": PASSWORD,
            "mail_ca_file": certificates.authority,
            **changes,
        }
        settings = dataclasses.replace(
            app.config["CASEWORK"], mail_server="127.0.0.1", mail_port=port, **wanted
        )
        monkeypatch.setitem(app.config, "CASEWORK", settings)
        return port

    return _configure


@pytest.fixture(autouse=True)
def waiting(app: Flask, db_session: Session) -> uuid.UUID:
    """In every test, one e-mail waiting in the outbox, for a person with an address."""
    lead = make_user(username="lead")
    nora = make_user(username="nora", ngo_worker=True, organisation=make_organisation(ngo=True))
    db_session.add(NotificationSetting(user_id=nora.id, email_address="nora@example.org"))
    db_session.commit()
    assert CASE_HANDED.email_default
    with app.app_context():
        case_id = open_case(db_session, lead)
    join(app, db_session, case_id, nora)
    assert [r.user_id for r in db_session.scalars(select(OutboxMessage))] == [nora.id]
    return nora.id


def _send(app: Flask, db_session: Session, printed: list[str] | None = None) -> OutboxMessage:
    result = app.test_cli_runner().invoke(args=["notifications", "send"])
    assert result.exit_code == 0, result.output
    if printed is not None:
        printed.append(result.output)
    db_session.expire_all()
    return db_session.scalars(select(OutboxMessage)).one()


def _due_again(db_session: Session, row: OutboxMessage) -> None:
    row.next_attempt_at = row.created_at
    db_session.commit()


def _accounts() -> Inbox:
    return Inbox(accounts={USER: PASSWORD})


def test_starttls_with_a_login_checked_by_the_server(
    app: Flask,
    db_session: Session,
    configure: Configure,
    certificates: Certificates,
) -> None:
    port = configure()
    with smtp_server(port, _accounts(), starttls=certificates.server_context()) as inbox:
        row = _send(app, db_session)
    assert row.sent_at is not None and row.attempts == 1
    assert inbox.logins == [(USER, PASSWORD, True)]
    assert [to for to, _raw in inbox.received] == [["nora@example.org"]]


def test_a_wrong_password_is_refused_and_the_e_mail_waits(
    app: Flask,
    db_session: Session,
    configure: Configure,
    certificates: Certificates,
) -> None:
    port = configure()
    printed: list[str] = []
    server = Inbox(accounts={USER: "another"})
    with smtp_server(port, server, starttls=certificates.server_context()) as inbox:
        row = _send(app, db_session, printed)
    # (smtplib tries each mechanism the server offers: PLAIN, then LOGIN)
    assert inbox.logins and set(inbox.logins) == {(USER, PASSWORD, True)}
    assert inbox.received == []
    assert row.sent_at is None and row.attempts == 1
    assert "SMTPAuthenticationError" in row.last_error and "SMTPAuthenticationError" in printed[0]
    # What the failure leaves on the row and prints names the error, never the password.
    assert PASSWORD not in row.last_error and PASSWORD not in printed[0]


def test_implicit_tls_with_a_login(
    app: Flask,
    db_session: Session,
    configure: Configure,
    certificates: Certificates,
) -> None:
    port = configure(mail_security="tls")
    with smtp_server(port, _accounts(), implicit_tls=certificates.server_context()) as inbox:
        row = _send(app, db_session)
    assert row.sent_at is not None
    assert inbox.logins == [(USER, PASSWORD, True)]
    assert len(inbox.received) == 1


@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_a_certificate_the_sender_does_not_trust_is_refused(
    app: Flask,
    db_session: Session,
    configure: Configure,
    certificates: Certificates,
    security: str,
) -> None:
    """Signed by an authority the system does not know: no login, no e-mail; the row
    waits, and goes at the next attempt once MAIL_CA_FILE names the authority."""
    port = configure(mail_security=security, mail_ca_file=None)
    context = certificates.server_context()
    starttls, implicit = (context, None) if security == "starttls" else (None, context)
    with smtp_server(port, _accounts(), starttls=starttls, implicit_tls=implicit) as inbox:
        row = _send(app, db_session)
        assert row.sent_at is None and row.attempts == 1 and row.failed_at is None
        assert "CERTIFICATE_VERIFY_FAILED" in row.last_error
        assert inbox.logins == [] and inbox.received == []
        app.config["CASEWORK"] = dataclasses.replace(
            app.config["CASEWORK"], mail_ca_file=certificates.authority
        )
        _due_again(db_session, row)
        row = _send(app, db_session)
    assert row.sent_at is not None and row.attempts == 2
    assert inbox.logins == [(USER, PASSWORD, True)] and len(inbox.received) == 1


def test_a_certificate_for_another_host_is_refused(
    app: Flask,
    db_session: Session,
    configure: Configure,
    tmp_path: Path,
) -> None:
    """Signed by a trusted authority, but for another name than MAIL_SERVER."""
    elsewhere = make_certificates(tmp_path, name="mail.example.org")
    port = configure(mail_ca_file=elsewhere.authority)
    with smtp_server(port, _accounts(), starttls=elsewhere.server_context()) as inbox:
        row = _send(app, db_session)
    assert row.sent_at is None and "CERTIFICATE_VERIFY_FAILED" in row.last_error
    assert "127.0.0.1" in row.last_error  # the name that did not match
    assert inbox.logins == [] and inbox.received == []


def test_a_server_without_starttls_is_not_spoken_to_in_clear_text(
    app: Flask,
    db_session: Session,
    configure: Configure,
    certificates: Certificates,
) -> None:
    """Someone in the middle strips STARTTLS from the server's answer: the sender does
    not carry on without it, so neither the password nor the e-mail crosses in clear."""
    port = configure()
    with smtp_server(port, _accounts(), login_in_clear=True) as inbox:
        row = _send(app, db_session)
    assert row.sent_at is None and "SMTPNotSupportedError" in row.last_error
    assert inbox.logins == [] and inbox.received == []


def test_the_password_never_crosses_an_unencrypted_connection(
    app: Flask, db_session: Session, configure: Configure
) -> None:
    """MAIL_SECURITY none with a user name: start-up refuses it (tests/unit/test_settings.py),
    and the sender refuses to log in all the same, although the server offers it; only
    MAIL_LOGIN_WITHOUT_TLS, for a relay on the same machine, lets it."""
    port = configure(mail_security="none")
    with smtp_server(port, _accounts(), login_in_clear=True) as inbox:
        row = _send(app, db_session)
        assert row.sent_at is None and "LoginRefused" in row.last_error
        assert inbox.logins == [] and inbox.received == []
        app.config["CASEWORK"] = dataclasses.replace(
            app.config["CASEWORK"], mail_login_without_tls=True
        )
        _due_again(db_session, row)
        row = _send(app, db_session)
    assert row.sent_at is not None
    assert inbox.logins == [(USER, PASSWORD, False)]
