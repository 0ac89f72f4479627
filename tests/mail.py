"""A real SMTP server for the tests (aiosmtpd), on a free port of its own, and the
e-mails every such server received during the test run (checked for child data).

The server speaks plain SMTP, STARTTLS or implicit TLS with a throw-away certificate
authority made here, and may require a login, which it checks and records."""

from __future__ import annotations

import ipaddress
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

# Every e-mail any test's server received in this run, raw.
SENT_IN_THIS_RUN: list[bytes] = []


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Inbox:
    """What the server received: (recipients, raw message)."""

    received: list[tuple[list[str], bytes]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    # The user name and password the server takes, when it asks for a login at all.
    accounts: dict[str, str] = field(default_factory=dict)
    # Every login tried: (user name, password, over an encrypted connection).
    logins: list[tuple[str, str, bool]] = field(default_factory=list)

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        user, password = data.login.decode(), data.password.decode()
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        self.logins.append((user, password, encrypted))
        return AuthResult(success=self.accounts.get(user) == password, handled=False)

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802 - aiosmtpd's hook name
        self, server: Any, session: Any, envelope: Any
    ) -> str:
        raw = bytes(envelope.content)
        self.received.append((list(envelope.rcpt_tos), raw))
        SENT_IN_THIS_RUN.append(raw)
        return "250 Message accepted"


@contextmanager
def smtp_server(
    port: int,
    inbox: Inbox | None = None,
    *,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
    login_in_clear: bool = False,
) -> Iterator[Inbox]:
    """A server on `port`. With `starttls` it offers STARTTLS and takes no mail before
    it; with `implicit_tls` it speaks TLS from the first byte (SMTPS). When the inbox
    has accounts, it requires a login, offered only over TLS unless `login_in_clear`
    (aiosmtpd then warns; the tests that ask for it expect the warning)."""
    inbox = inbox or Inbox()
    options: dict[str, Any] = {}
    if starttls is not None:
        options.update(tls_context=starttls, require_starttls=True)
    if implicit_tls is not None:
        options.update(ssl_context=implicit_tls)
    if inbox.accounts:
        options.update(
            authenticator=inbox.authenticate,
            auth_required=True,
            # aiosmtpd counts only STARTTLS as TLS: over implicit TLS it must be told
            # that a login may go ahead (the whole connection is encrypted).
            auth_require_tls=not login_in_clear and implicit_tls is None,
        )
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


@dataclass(frozen=True)
class Certificates:
    """A throw-away authority (its certificate in `authority`, PEM) and a server
    certificate it signed, valid for `name` (an address or a host name)."""

    authority: Path
    certificate: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.certificate, self.key)
        return context


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def make_certificates(folder: Path, name: str = "127.0.0.1") -> Certificates:
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("Casework test mail authority"))
        .issuer_name(_name("Casework test mail authority"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    try:
        alternative: x509.GeneralName = x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        alternative = x509.DNSName(name)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(_name(name))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([alternative]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False
        )
        .sign(ca_key, hashes.SHA256())
    )
    found = Certificates(folder / "authority.pem", folder / "server.pem", folder / "server.key")
    found.authority.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    found.certificate.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    found.key.write_bytes(_pem(key))
    return found
