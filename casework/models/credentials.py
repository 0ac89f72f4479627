"""Second-factor recovery codes, one-time enrolment links and failed-login counters."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.clock import utcnow
from casework.models.base import Base, UuidPrimaryKey


class RecoveryCode(UuidPrimaryKey, Base):
    """A single-use code for when the authenticator is lost. Stored as SHA-256: the
    codes are random and long, so a fast hash does not make them guessable."""

    __tablename__ = "recovery_code"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    code_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    used_at: Mapped[datetime | None]


class Enrolment(UuidPrimaryKey, Base):
    """A one-time link with which a new user (or one whose second factor was reset)
    sets a password and an authenticator. Only the link's hash is stored."""

    __tablename__ = "enrolment"
    __kek_sealed__ = {"pending_secret_enc": ("totp", "id")}  # noqa: RUF012

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]
    # The authenticator secret offered on the enrolment page, sealed by the KEK, so that
    # reloading the page shows the same QR code.
    pending_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # "enrol" sets a password and an authenticator; "reset" keeps the password, which
    # the person proves before a new authenticator is offered.
    purpose: Mapped[str] = mapped_column(String(16), default="enrol", server_default="enrol")
    # When set, the link works only together with a code that another administrator
    # holds (see casework/auth/approvals.py); links issued before it existed need none.
    code_hash: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    # A reset link: when the person proved their current password. The new
    # authenticator is derived and shown only after that.
    password_proven_at: Mapped[datetime | None]


class LoginThrottle(Base):
    """Failed sign-ins per user name, known or not. The key is an HMAC of the name, so
    a password typed into the name field is never stored."""

    __tablename__ = "login_throttle"

    key_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    window_start: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
