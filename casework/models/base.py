"""Declarative base with a naming convention, so migrations never name constraints by hand."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, MetaData, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    # declarative reads this class attribute; it is never mutated
    type_annotation_map = {datetime: DateTime(timezone=False)}  # noqa: RUF012


class UuidPrimaryKey:
    """A random UUID primary key, set at construction.

    The id is known before the first flush because encrypted fields bind their
    ciphertext to the row id.
    """

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("id", uuid.uuid4())
        super().__init__(**kwargs)
