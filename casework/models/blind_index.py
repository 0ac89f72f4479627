"""Blind-index tokens of encrypted fields: truncated keyed hashes, never values.

One row per (row, field, term); a field whose value has several words has several
rows. Rows name the owning case, so an erasure deletes them all at once, and the row
by id rather than by foreign key, so that any model's encrypted fields can be indexed.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Connection, ForeignKey, Index, String, Uuid, delete, event, insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from casework.crypto.fields import PENDING_INDEX, encrypted_fields, owning_case_id
from casework.crypto.keyring import current_keyring
from casework.models.base import Base


class BlindIndexEntry(Base):
    __tablename__ = "blind_index"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    row_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    field: Mapped[str] = mapped_column(String(64))
    token: Mapped[int]

    # A search looks up (field, token) and needs only case_id: an index-only scan.
    __table_args__ = (Index("ix_blind_index_field_token", "field", "token", "case_id"),)


def _is_indexed(obj: Any) -> bool:
    return any(f.blind_index is not None for f in encrypted_fields(type(obj)))


@event.listens_for(Session, "after_flush")
def _write_tokens(session: Session, _context: Any) -> None:
    """Keep the tokens of every indexed field in step with its value, in the same
    transaction, whatever model the field is on and whoever changed it."""
    changed = [o for o in (*session.new, *session.dirty) if o.__dict__.get(PENDING_INDEX)]
    removed = [o.id for o in session.deleted if _is_indexed(o)]
    if not changed and not removed:
        return
    conn = session.connection()
    if removed:
        conn.execute(delete(BlindIndexEntry).where(BlindIndexEntry.row_id.in_(removed)))
    replace_tokens(conn, [(obj, obj.__dict__.pop(PENDING_INDEX)) for obj in changed])


def replace_tokens(conn: Connection, changes: list[tuple[Any, dict[str, Any]]]) -> None:
    """For each (row, {field name: new plain value}): drop the field's tokens, add new ones."""
    entry, rows = BlindIndexEntry, []
    for obj, values in changes:
        fields, new_rows = _token_rows(obj, values)
        conn.execute(delete(entry).where(entry.row_id == obj.id, entry.field.in_(fields)))
        rows.extend(new_rows)
    if rows:
        conn.execute(insert(entry), rows)


def _token_rows(obj: Any, values: dict[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """The index fields whose values changed, and their new token rows."""
    indexer = current_keyring().indexer
    case_id = owning_case_id(obj)
    fields: list[str] = []
    rows: list[dict[str, Any]] = []
    for field in encrypted_fields(type(obj)):
        if field.blind_index is None or field.name not in values:
            continue
        name = field.index_field(obj)
        fields.append(name)
        for token in indexer.tokens(name, field.blind_index, values[field.name]):
            rows.append({"case_id": case_id, "row_id": obj.id, "field": name, "token": token})
    return fields, rows
