"""The child's migration status [migration] and current placement [location]."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from casework.crypto.fields import DateCodec, EncryptedField, TextCodec
from casework.models.base import Base
from casework.models.codecs import JsonListCodec
from casework.models.record import CaseRecord, Versioned


class MigrationStatus(Versioned, CaseRecord, Base):
    """One per case: care situation, residence status, routes, reflection period."""

    __tablename__ = "migration_status"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), unique=True)
    care_situation_enc: Mapped[bytes] = mapped_column(LargeBinary)
    residence_status_enc: Mapped[bytes] = mapped_column(LargeBinary)
    origin_countries_enc: Mapped[bytes] = mapped_column(LargeBinary)
    transit_countries_enc: Mapped[bytes] = mapped_column(LargeBinary)
    reflection_country_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    reflection_start_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    reflection_end_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    care_situation = EncryptedField("care_situation_enc", TextCodec())
    residence_status = EncryptedField("residence_status_enc", TextCodec())
    origin_countries = EncryptedField("origin_countries_enc", JsonListCodec())
    transit_countries = EncryptedField("transit_countries_enc", JsonListCodec())
    reflection_country = EncryptedField("reflection_country_enc", TextCodec())
    reflection_start = EncryptedField("reflection_start_enc", DateCodec())
    reflection_end = EncryptedField("reflection_end_enc", DateCodec())


class Placement(Versioned, CaseRecord, Base):
    """Where the child lives now. Safety-critical: readable only with [location]."""

    __tablename__ = "placement"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), unique=True)
    kind_enc: Mapped[bytes] = mapped_column(LargeBinary)
    address_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    since_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    kind = EncryptedField("kind_enc", TextCodec())
    address = EncryptedField("address_enc", TextCodec())
    since = EncryptedField("since_enc", DateCodec())
