"""Missing-child episodes. Everything said about the episode (when and where the child
was last seen, the circumstances, the police report, when, where and by whom found) is
encrypted under the case's key. Two plain moments, when the episode was recorded and
when its end was recorded, keep it open or closed for the database itself: a partial
unique index lets a case have one open episode at most, whoever records at once."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, text
from sqlalchemy.orm import Mapped, mapped_column

from casework.crypto.fields import EncryptedField, TextCodec
from casework.models.base import Base
from casework.models.codecs import DateTimeCodec
from casework.models.record import CaseRecord, Versioned

OPEN_EPISODE = text("found_recorded_at IS NULL")


class MissingEpisode(Versioned, CaseRecord, Base):
    __tablename__ = "missing_episode"

    reported_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    found_recorded_at: Mapped[datetime | None]
    found_recorded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("user_account.id"))
    last_seen_at_enc: Mapped[bytes] = mapped_column(LargeBinary)
    last_seen_where_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    circumstances_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    police_informed_at_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    police_reference_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    found_at_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    found_where_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    found_by_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    last_seen_at = EncryptedField("last_seen_at_enc", DateTimeCodec())
    last_seen_where = EncryptedField("last_seen_where_enc", TextCodec())
    circumstances = EncryptedField("circumstances_enc", TextCodec())
    police_informed_at = EncryptedField("police_informed_at_enc", DateTimeCodec())
    police_reference = EncryptedField("police_reference_enc", TextCodec())
    found_at = EncryptedField("found_at_enc", DateTimeCodec())
    found_where = EncryptedField("found_where_enc", TextCodec())
    found_by = EncryptedField("found_by_enc", TextCodec())

    __table_args__ = (
        Index(
            "uq_missing_episode_open",
            "case_id",
            unique=True,
            sqlite_where=OPEN_EPISODE,
            postgresql_where=OPEN_EPISODE,
        ),
    )

    @property
    def is_open(self) -> bool:
        return self.found_recorded_at is None
