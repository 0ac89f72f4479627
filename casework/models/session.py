"""Server-side sessions: a signed-in browser holds only a random token; the session
itself lives here, so signing out, timeouts and "end all my sessions" take effect on
the server."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from casework.clock import utcnow
from casework.models.base import Base, UuidPrimaryKey


class UserSession(UuidPrimaryKey, Base):
    __tablename__ = "user_session"
    # The last search, sealed by the KEK and bound to this session: the results page
    # survives Back and reload without the child's name in a URL (casework/auth/sessions.py).
    __kek_sealed__ = {"search_enc": ("search", "id")}  # noqa: RUF012

    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the user last proved password and second factor (sign-in or re-authentication).
    verified_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]
    end_reason: Mapped[str] = mapped_column(String(32), default="")
    search_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
