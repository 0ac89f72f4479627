"""A real SMTP server for the tests (aiosmtpd), on a free port of its own, and the
e-mails every such server received during the test run (checked for child data)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.controller import Controller

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
def smtp_server(port: int, inbox: Inbox | None = None) -> Iterator[Inbox]:
    inbox = inbox or Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()
