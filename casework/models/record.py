"""What every record about a case shares: the case it belongs to, the case's key for its
encrypted fields, and (for editable records) a version against lost updates."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from casework.clock import utcnow
from casework.crypto.fields import EncryptedField
from casework.models.base import UuidPrimaryKey
from casework.models.case import Case


class CaseRecord(UuidPrimaryKey):
    """A record of one case. Its content is encrypted under the case's data key."""

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    @declared_attr
    def case(cls) -> Mapped[Case]:
        return relationship(Case)

    def __init__(self, case: Case, **fields: Any) -> None:
        encrypted = {k: v for k, v in fields.items() if self.is_encrypted(k)}
        plain = {k: v for k, v in fields.items() if k not in encrypted}
        super().__init__(case=case, case_id=case.id, **plain)
        for name, value in encrypted.items():
            setattr(self, name, value)

    @classmethod
    def is_encrypted(cls, name: str) -> bool:
        return isinstance(getattr(cls, name, None), EncryptedField)

    @classmethod
    def encrypted_names(cls) -> tuple[str, ...]:
        return tuple(n for n in dir(cls) if not n.startswith("_") and cls.is_encrypted(n))

    def data_key(self, version: int | None = None) -> tuple[bytes, int]:
        return self.case.data_key(version)

    def values(self, names: tuple[str, ...]) -> dict[str, Any]:
        return {name: getattr(self, name) for name in names}


class Versioned:
    """An editable record: each save bumps `version`; a save based on an older one fails."""

    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]
