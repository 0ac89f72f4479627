from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.clock import utcnow
from casework.models.base import Base, UuidPrimaryKey
from casework.models.organisation import Organisation


class User(UuidPrimaryKey, Base):
    """A professional who uses Casework: one role in one organisation."""

    __tablename__ = "user_account"
    # Sealed by the KEK itself, so a KEK rotation rewraps it (casework/crypto/registry.py).
    __kek_sealed__ = {"totp_secret_enc": ("totp", "id")}  # noqa: RUF012

    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(32))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisation.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The TOTP secret, sealed by the key-encryption key; None until enrolled.
    totp_secret_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    # The time step of the last accepted code: a code is accepted once only.
    totp_last_step: Mapped[int | None]
    # The person's own profession (an actor type such as health or child psychiatry),
    # recorded by an administrator; a team membership's actor type must fit it.
    profession: Mapped[str | None] = mapped_column(String(32))
    # Who created the account and who last changed its role, organisation or status:
    # an approval never comes from an account the requester made or changed. (Ids
    # without a foreign key: see migration 0016.)
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The user's own choices; None follows the browser (language) and the
    # organisation's country (time zone).
    language: Mapped[str | None] = mapped_column(String(8))
    time_zone: Mapped[str | None] = mapped_column(String(64))

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    # Flask-Login's user protocol
    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)
