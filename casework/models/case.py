"""The case aggregate: the case itself and the child it is about."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, ForeignKey, LargeBinary, String, func, select
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship

from casework.clock import utcnow
from casework.crypto.aead import KeyDestroyed
from casework.crypto.blind_index import date_index, name_index
from casework.crypto.fields import DateCodec, EncryptedField, TextCodec
from casework.crypto.keyring import Keyring, current_keyring
from casework.models.base import Base, UuidPrimaryKey
from casework.models.case_keys import other_data_key
from casework.models.codecs import JsonListCodec


class CaseStatus(StrEnum):
    IDENTIFIED = "identified"
    OPEN = "open"
    ACTIVE = "active"
    CLOSED = "closed"
    REOPENED = "reopened"
    ERASED = "erased"
    MERGED = "merged"  # a stub pointing to the case it was merged into (case_merge)


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


# What an erased case holds instead of a wrapped data key. Empty rather than NULL, so
# that the column's schema (and SQLite's table, which references would pin) stays as is.
KEY_DESTROYED = b""


def has_data_key() -> ColumnElement[bool]:
    """SQL: the case still has a data key (it is not erased)."""
    return func.length(Case.wrapped_dek) > 0


class Case(UuidPrimaryKey, Base):
    """A child's case. Holds the case's data key, wrapped by the key-encryption key;
    an erased case holds an empty one (KEY_DESTROYED), and so can never be read again."""

    __tablename__ = "case_file"
    __case_column__ = "id"

    reference: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.OPEN)
    lead_organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id"), index=True
    )
    created_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    wrapped_dek: Mapped[bytes] = mapped_column(LargeBinary)
    dek_version: Mapped[int] = mapped_column(default=1)
    version: Mapped[int] = mapped_column(default=1)

    child: Mapped[Child] = relationship(back_populates="case", uselist=False)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    def __init__(self, keyring: Keyring | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        keyring = keyring or current_keyring()
        dek = keyring.new_data_key()
        self.dek_version = 1
        self.wrapped_dek = keyring.wrap(dek, str(self.id), self.dek_version)
        self.__dict__["_dek"] = dek
        self.__dict__["_dek_of"] = (self.wrapped_dek, self.dek_version)

    def data_key(self, version: int | None = None) -> tuple[bytes, int]:
        """The data key of `version` (default: the current one) and its version."""
        if version is not None and version != self.dek_version:
            current = select(Case.wrapped_dek, Case.dek_version).where(Case.id == self.id)
            return other_data_key(object_session(self), self.id, version, current), version
        dek: bytes | None = self.__dict__.get("_dek")
        if dek is None or self.__dict__.get("_dek_of") != (self.wrapped_dek, self.dek_version):
            if self.wrapped_dek == KEY_DESTROYED:
                raise KeyDestroyed(f"case {self.id} was erased; its data key is destroyed")
            dek = current_keyring().unwrap(self.wrapped_dek, str(self.id), self.dek_version)
            self.__dict__["_dek"] = dek
            self.__dict__["_dek_of"] = (self.wrapped_dek, self.dek_version)
        return dek, self.dek_version


class Child(UuidPrimaryKey, Base):
    """The child a case is about. Identity fields are encrypted under the case's key."""

    __tablename__ = "child"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), unique=True)
    given_name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    family_name_enc: Mapped[bytes] = mapped_column(LargeBinary)
    date_of_birth_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    sex_enc: Mapped[bytes] = mapped_column(LargeBinary)
    nationalities_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    languages_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    version: Mapped[int] = mapped_column(default=1)

    case: Mapped[Case] = relationship(back_populates="child")

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    given_name = EncryptedField("given_name_enc", TextCodec(), blind_index=name_index())
    family_name = EncryptedField("family_name_enc", TextCodec(), blind_index=name_index())
    date_of_birth = EncryptedField("date_of_birth_enc", DateCodec(), blind_index=date_index())
    sex = EncryptedField("sex_enc", TextCodec())
    nationalities = EncryptedField("nationalities_enc", JsonListCodec())
    languages = EncryptedField("languages_enc", JsonListCodec())

    def __init__(self, case: Case, **fields: Any) -> None:
        super().__init__(case=case)
        for name, value in fields.items():
            if not isinstance(getattr(type(self), name, None), EncryptedField):
                raise TypeError(f"Child has no encrypted field {name}")
            setattr(self, name, value)

    def data_key(self, version: int | None = None) -> tuple[bytes, int]:
        return self.case.data_key(version)

    def age_on(self, day: date) -> int | None:
        born: date | None = self.date_of_birth
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
