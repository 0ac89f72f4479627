"""The child's identity beyond the names on Child [identity]: aliases, identity
documents, the age assessment and guardians or representatives."""

from __future__ import annotations

import uuid

from sqlalchemy import ForeignKey, LargeBinary
from sqlalchemy.orm import Mapped, mapped_column

from casework.crypto.blind_index import document_index, name_index
from casework.crypto.fields import DateCodec, EncryptedField, TextCodec
from casework.models.base import Base
from casework.models.codecs import IntCodec
from casework.models.record import CaseRecord, Versioned


class ChildAlias(CaseRecord, Base):
    """Another name the child uses or was given (traffickers often give false names).

    One row per name, each with a blind index like the child's names, so that search
    and the duplicate check find the child under it.
    """

    __tablename__ = "child_alias"

    position: Mapped[int] = mapped_column(default=0)
    name_enc: Mapped[bytes] = mapped_column(LargeBinary)

    name = EncryptedField("name_enc", TextCodec(), blind_index=name_index())


class IdentityDocument(Versioned, CaseRecord, Base):
    __tablename__ = "identity_document"

    kind_enc: Mapped[bytes] = mapped_column(LargeBinary)
    number_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    issuing_country_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    expires_on_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    check_enc: Mapped[bytes] = mapped_column(LargeBinary)

    kind = EncryptedField("kind_enc", TextCodec())
    number = EncryptedField("number_enc", TextCodec(), blind_index=document_index())
    issuing_country = EncryptedField("issuing_country_enc", TextCodec())
    expires_on = EncryptedField("expires_on_enc", DateCodec())
    check = EncryptedField("check_enc", TextCodec())


class AgeAssessment(Versioned, CaseRecord, Base):
    """The state of the child's age: claimed, disputed or assessed (one per case)."""

    __tablename__ = "age_assessment"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), unique=True)

    status_enc: Mapped[bytes] = mapped_column(LargeBinary)
    method_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    assessor_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    assessed_on_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    age_min_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    age_max_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    status = EncryptedField("status_enc", TextCodec())
    method = EncryptedField("method_enc", TextCodec())
    assessor = EncryptedField("assessor_enc", TextCodec())
    assessed_on = EncryptedField("assessed_on_enc", DateCodec())
    age_min = EncryptedField("age_min_enc", IntCodec())
    age_max = EncryptedField("age_max_enc", IntCodec())


class Guardian(Versioned, CaseRecord, Base):
    """A guardian or representative appointed for the child."""

    __tablename__ = "guardian"

    kind_enc: Mapped[bytes] = mapped_column(LargeBinary)
    name_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    appointing_authority_enc: Mapped[bytes] = mapped_column(LargeBinary)
    appointed_on_enc: Mapped[bytes] = mapped_column(LargeBinary)
    reason_enc: Mapped[bytes] = mapped_column(LargeBinary)
    ended_on_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    kind = EncryptedField("kind_enc", TextCodec())
    name = EncryptedField("name_enc", TextCodec())
    appointing_authority = EncryptedField("appointing_authority_enc", TextCodec())
    appointed_on = EncryptedField("appointed_on_enc", DateCodec())
    reason = EncryptedField("reason_enc", TextCodec())
    ended_on = EncryptedField("ended_on_enc", DateCodec())
