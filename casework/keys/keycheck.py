"""Checking the configured key-encryption keys against the database, at start-up.

The database keeps, for every KEK version it has used, a check value: a constant
sealed by that KEK. The configured KEK must open one of them, or Casework refuses to
start with a message naming the setting, instead of failing at the first decryption.

- First start on a migrated database: the KEK is enrolled (check value, new index key).
  When cases exist already (a database older than the check values), the KEK must
  first unwrap one of their data keys.
- CASEWORK_KEK_PREVIOUS set and CASEWORK_KEK unknown: a KEK rotation begins; the new
  key is registered as the next version (see casework/keys/rotation.py).
- A version that still wraps data keys must be configured, or start-up is refused.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework.crypto.aead import KEY_BYTES, FieldIntegrityError, key_version_of
from casework.crypto.kek import KekProvider
from casework.crypto.keyring import Keyring, dek_aad
from casework.models.case import Case, has_data_key
from casework.models.keys import IndexKey, KekVersion
from casework.settings import ENV_PREFIX, ConfigError

log = logging.getLogger(__name__)

CHECK_PLAINTEXT = b"casework key-encryption key check"
REFUSING = "refusing to start"


class KeyCheckError(ConfigError):
    """The configured key-encryption keys do not fit the database; names the setting."""


@dataclass(frozen=True)
class Keks:
    current: KekProvider
    previous: KekProvider | None = None


def check_aad(version: int) -> bytes:
    return f"casework|kek-check|v1|k{version}".encode()


def check_value(provider: KekProvider, version: int) -> bytes:
    return provider.seal(version, CHECK_PLAINTEXT, check_aad(version))


def wrong_key(provider: KekProvider) -> KeyCheckError:
    return KeyCheckError(
        f"{provider.source}: this key-encryption key is not the one this database was "
        f"encrypted with (its check value does not match); {REFUSING}"
    )


def load_keyring(session: Session, keks: Keks) -> Keyring:
    """The verified keyring: current KEK with its version, the previous one if any, and
    the blind-index root key. Raises KeyCheckError; may enrol or register a KEK."""
    versions = _versions(session)
    if not versions:
        _insert_once(session, _first_check(session, keks.current))
        versions = _versions(session)
    current = _match(versions, keks.current)
    previous = _match(versions, keks.previous) if keks.previous else None
    if keks.previous is not None and previous is None:
        raise wrong_key(keks.previous)
    if current is None:
        _insert_once(session, _next_check(versions, keks, previous))
        versions = _versions(session)
        current = _match(versions, keks.current)
        if current is None:
            raise wrong_key(keks.current)
    _check_coverage(versions, keks, current, previous)
    others = {previous: keks.previous} if keks.previous and previous is not None else {}
    keyring = Keyring(keks.current, current, others)
    return Keyring(keks.current, current, others, index_root=_index_root(session, keyring))


def verify_against_cases(session: Session, provider: KekProvider) -> int | None:
    """The KEK version of existing data keys, after checking the key opens one; None
    when there are no cases. Works on a database that has no check values yet."""
    row = session.execute(
        select(Case.id, Case.wrapped_dek, Case.dek_version).where(has_data_key()).limit(1)
    ).first()
    if row is None:
        return None
    try:
        provider.open(row.wrapped_dek, dek_aad(str(row.id), row.dek_version))
    except FieldIntegrityError:
        raise wrong_key(provider) from None
    return key_version_of(row.wrapped_dek)


def _versions(session: Session) -> Sequence[KekVersion]:
    return session.scalars(select(KekVersion).order_by(KekVersion.version)).all()


def _match(versions: Sequence[KekVersion], provider: KekProvider | None) -> int | None:
    if provider is None:
        return None
    for row in versions:
        try:
            provider.open(row.check_value, check_aad(row.version))
        except FieldIntegrityError:
            continue
        return row.version
    return None


def _first_check(session: Session, provider: KekProvider) -> KekVersion:
    version = verify_against_cases(session, provider) or 1
    log.warning("enrolled the key-encryption key from %s as version %d", provider.source, version)
    return KekVersion(version=version, check_value=check_value(provider, version))


def _next_check(versions: Sequence[KekVersion], keks: Keks, previous: int | None) -> KekVersion:
    if keks.previous is None:
        raise wrong_key(keks.current)
    newest = max(row.version for row in versions)
    if previous != newest:
        raise KeyCheckError(
            f"{keks.previous.source} holds key-encryption key version {previous}, but the "
            f"newest is version {newest}; set it to version {newest}; {REFUSING}"
        )
    log.warning(
        "registered the key-encryption key from %s as version %d: run "
        "`casework keys rotate-kek` to rewrap every data key under it",
        keks.current.source,
        newest + 1,
    )
    return KekVersion(version=newest + 1, check_value=check_value(keks.current, newest + 1))


def _check_coverage(
    versions: Sequence[KekVersion], keks: Keks, current: int, previous: int | None
) -> None:
    retired = {row.version for row in versions if row.retired_at is not None}
    if current in retired:
        raise KeyCheckError(
            f"{keks.current.source} holds key-encryption key version {current}, which was "
            f"retired by a rotation; configure the newest key; {REFUSING}"
        )
    if keks.previous is not None and previous is not None and previous > current:
        raise KeyCheckError(
            f"{keks.current.source} holds an older key (version {current}) than "
            f"{keks.previous.source} (version {previous}); swap them; {REFUSING}"
        )
    unconfigured = {row.version for row in versions} - retired - {current, previous}
    if unconfigured:
        raise KeyCheckError(
            f"data keys are still wrapped by key-encryption key version {min(unconfigured)}: "
            f"set {ENV_PREFIX}KEK_PREVIOUS or {ENV_PREFIX}KEK_PREVIOUS_FILE to it until "
            f"`casework keys rotate-kek` has finished; {REFUSING}"
        )
    if keks.previous is not None and previous in retired:
        log.warning("%s is no longer needed: remove it", keks.previous.source)


def _index_root(session: Session, keyring: Keyring) -> bytes:
    row = session.scalars(select(IndexKey).order_by(IndexKey.version.desc()).limit(1)).first()
    if row is None:
        root = os.urandom(KEY_BYTES)
        if _insert_once(session, IndexKey(version=1, wrapped_key=keyring.wrap_index_key(root, 1))):
            if verify_against_cases(session, keyring.current) is not None:
                log.warning("existing cases are not searchable until `casework keys reindex`")
            return root
        return _index_root(session, keyring)
    try:
        return keyring.unwrap_index_key(row.wrapped_key, row.version)
    except FieldIntegrityError:
        raise KeyCheckError(
            f"the blind-index key does not open under the configured key-encryption keys "
            f"({keyring.current.source}); {REFUSING}"
        ) from None


def _insert_once(session: Session, row: KekVersion | IndexKey) -> bool:
    """Insert and commit; False when another process inserted the same key first."""
    session.add(row)
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True
