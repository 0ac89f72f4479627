"""Change history of a case: who changed which field group when, the values before and
the values after.

Both are case content, so they are encrypted under the case's key.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.clock import utcnow
from casework.crypto.fields import EncryptedField
from casework.models.base import Base, UuidPrimaryKey
from casework.models.case import Case


class JsonCodec:
    def encode(self, value: dict[str, Any]) -> bytes:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode()

    def decode(self, raw: bytes) -> dict[str, Any]:
        decoded: dict[str, Any] = json.loads(raw)
        return decoded


class CaseHistoryEntry(UuidPrimaryKey, Base):
    __tablename__ = "case_history"

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    changed_by: Mapped[str] = mapped_column(String(64))
    field_group: Mapped[str] = mapped_column(String(32))
    # What happened: "update" keeps the values before; "create" and "remove" name
    # the record kind in `previous`; "status" and "flag" belong to no field group.
    change: Mapped[str] = mapped_column(String(16), default="update", server_default="update")
    previous_enc: Mapped[bytes] = mapped_column(LargeBinary)
    # The values after the change (none for entries written before they were kept).
    current_enc: Mapped[bytes | None] = mapped_column(LargeBinary)

    case: Mapped[Case] = relationship()

    previous = EncryptedField("previous_enc", JsonCodec())
    current = EncryptedField("current_enc", JsonCodec())

    def __init__(
        self,
        case: Case,
        previous: dict[str, Any],
        current: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(case=case, case_id=case.id, **kwargs)
        self.previous = previous
        if current is not None:
            self.current = current

    def data_key(self, version: int | None = None) -> tuple[bytes, int]:
        return self.case.data_key(version)
