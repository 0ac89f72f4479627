"""The second factor: TOTP (RFC 6238) with single use of each code, and recovery codes."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
import uuid

import pyotp
import segno
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework.clock import utcnow
from casework.crypto.aead import FieldIntegrityError
from casework.crypto.keyring import current_keyring
from casework.models.credentials import RecoveryCode
from casework.models.user import User

log = logging.getLogger(__name__)

ISSUER = "Casework"
PURPOSE = "totp"
STEP_SECONDS = 30
# Codes from one step before or after are accepted, for clocks that drift a little.
VALID_WINDOW = 1
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
RECOVERY_LENGTH = 12


def new_secret() -> str:
    return pyotp.random_base32()


def seal(user_id: uuid.UUID, secret: str) -> bytes:
    return current_keyring().seal_secret(PURPOSE, str(user_id), secret.encode("ascii"))


def unseal(user_id: uuid.UUID, sealed: bytes) -> str:
    return current_keyring().open_secret(PURPOSE, str(user_id), sealed).decode("ascii")


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """An inline SVG QR code, drawn here: the secret never leaves the server."""
    svg: str = segno.make(uri, error="m").svg_inline(scale=5, dark="#000", light="#fff")
    # The key is also shown as text beside the picture; that is its text alternative.
    return svg.replace("<svg ", '<svg aria-hidden="true" focusable="false" ', 1)


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step whose TOTP equals `code`, within the allowed window, or None."""
    code = normalise_code(code)
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // STEP_SECONDS)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def verify_totp(user: User, code: str) -> bool:
    """Accept a code once: a step at or before the last accepted one is a replay."""
    if user.totp_secret_enc is None:
        return False
    try:
        secret = unseal(user.id, user.totp_secret_enc)
    except FieldIntegrityError:
        # A seed that no longer opens (wrong key, tampered row) signs nobody in.
        log.error("the authenticator seed of user %s does not open", user.id)
        return False
    step = matching_step(secret, code)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    return True


def _hash_code(code: str) -> bytes:
    return hashlib.sha256(normalise_code(code).encode("ascii")).digest()


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Replace the user's recovery codes; the clear codes are returned once, to show."""
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash_code(code)))
        codes.append(code)
    return codes


def use_recovery_code(session: Session, user: User, code: str) -> bool:
    normal = normalise_code(code)
    if len(normal) != RECOVERY_LENGTH or not normal.isalnum():
        return False
    row = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _hash_code(normal),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = utcnow()
    return True
