"""Emergency ("break-glass") access to a case by someone outside its team."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casework.clock import utcnow
from casework.crypto.aead import FieldIntegrityError
from casework.crypto.fields import EncryptedField, TextCodec
from casework.crypto.keyring import current_keyring
from casework.models.base import Base, UuidPrimaryKey
from casework.models.case import Case, CaseStatus
from casework.models.user import User

# What a grant's reason and a verdict's note, sealed under the key-encryption key once
# their case is erased, are bound to (Keyring.seal_secret).
GRANT_PURPOSE = "breakglass-grant"
VERDICT_PURPOSE = "breakglass-verdict"


class BreakGlassGrant(UuidPrimaryKey, Base):
    """Read-only, time-limited access with a stated reason.

    The reason may mention the child, so it is encrypted under the case's key like
    any case content. Every use must stay reviewable, even after its case is erased: so
    the erasure seals the reason again under the key-encryption key (`reason_sealed`),
    as a refused attempt's is, before the case's key is destroyed.
    """

    __tablename__ = "break_glass_grant"
    __kek_sealed__ = {"reason_sealed": (GRANT_PURPOSE, "id")}  # noqa: RUF012

    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    reason_enc: Mapped[bytes] = mapped_column(LargeBinary)
    # The reason sealed under the KEK, bound to this row: written when the case is erased.
    reason_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)

    case: Mapped[Case] = relationship()
    user: Mapped[User] = relationship()

    reason = EncryptedField("reason_enc", TextCodec())

    def __init__(self, case: Case, reason: str, **kwargs: Any) -> None:
        super().__init__(case=case, case_id=case.id, **kwargs)
        self.reason = reason

    def data_key(self, version: int | None = None) -> tuple[bytes, int]:
        return self.case.data_key(version)

    def keep_for_review(self) -> None:
        """Seal the reason under the KEK; called while the case's key still opens it."""
        try:
            reason: str = self.reason
        except FieldIntegrityError:
            return  # damaged: logged by the field; the use stays reviewable without it
        self.reason_sealed = current_keyring().seal_secret(
            GRANT_PURPOSE, str(self.id), reason.encode()
        )

    def readable_reason(self) -> str | None:
        """The reason typed: from the KEK-sealed copy once the case is erased, else
        under the case's key; None where there is none to read (a case erased before
        reasons were kept, or a damaged field, which the field logs)."""
        if self.reason_sealed is not None:
            sealed = current_keyring().open_secret(GRANT_PURPOSE, str(self.id), self.reason_sealed)
            return sealed.decode()
        if self.case.status == CaseStatus.ERASED:
            return None  # expected: the key is destroyed, nothing to log
        try:
            reason: str = self.reason
        except FieldIntegrityError:
            return None
        return reason

    def is_active_at(self, moment: datetime) -> bool:
        return self.opened_at <= moment < self.expires_at


class BreakGlassVerdict(UuidPrimaryKey, Base):
    """An auditor's review of one break-glass use: justified or not, with a note.

    The note is about the case, so it is encrypted under the case's key; once the case
    is erased (or for a use reviewed after its case was erased) it is sealed under the
    KEK instead (`note_sealed`), like the grant's reason."""

    __tablename__ = "break_glass_verdict"
    __kek_sealed__ = {"note_sealed": (VERDICT_PURPOSE, "id")}  # noqa: RUF012

    grant_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("break_glass_grant.id"), unique=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("case_file.id"), index=True)
    reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"))
    reviewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    justified: Mapped[bool]
    # None for a use reviewed after its case was erased: the note is in `note_sealed`.
    note_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    note_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)

    grant: Mapped[BreakGlassGrant] = relationship()
    case: Mapped[Case] = relationship()
    reviewer: Mapped[User] = relationship()

    note = EncryptedField("note_enc", TextCodec())

    def __init__(self, grant: BreakGlassGrant, note: str, **kwargs: Any) -> None:
        super().__init__(
            grant=grant, grant_id=grant.id, case=grant.case, case_id=grant.case_id, **kwargs
        )
        if grant.case.status == CaseStatus.ERASED:
            self._seal(note)
        else:
            self.note = note

    def _seal(self, note: str) -> None:
        self.note_sealed = current_keyring().seal_secret(
            VERDICT_PURPOSE, str(self.id), note.encode()
        )

    def keep_for_review(self) -> None:
        """Seal the note under the KEK; called while the case's key still opens it."""
        try:
            note: str | None = self.note
        except FieldIntegrityError:
            return
        if note is not None:
            self._seal(note)

    def readable_note(self) -> str | None:
        if self.note_sealed is not None:
            sealed = current_keyring().open_secret(VERDICT_PURPOSE, str(self.id), self.note_sealed)
            return sealed.decode()
        if self.case.status == CaseStatus.ERASED:
            return None
        try:
            note: str | None = self.note
        except FieldIntegrityError:
            return None
        return note

    def data_key(self, version: int | None = None) -> tuple[bytes, int]:
        return self.case.data_key(version)


# What a refused attempt's sealed record is bound to (Keyring.seal_secret).
REFUSAL_PURPOSE = "breakglass-refusal"


class BreakGlassRefusal(UuidPrimaryKey, Base):
    """A break-glass attempt that was refused: why, and what was typed.

    The reference and reason typed belong to no case (there may be none) and may name a
    child, so they are sealed under the key-encryption key, bound to this row."""

    __tablename__ = "break_glass_refusal"
    __kek_sealed__ = {"attempt_enc": (REFUSAL_PURPOSE, "id")}  # noqa: RUF012

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("user_account.id"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Why it was refused: a code ("unknown_case").
    refusal: Mapped[str] = mapped_column(String(32))
    attempt_enc: Mapped[bytes] = mapped_column(LargeBinary)

    user: Mapped[User] = relationship()
