"""Field-level encryption: per-case data keys wrapped by a key-encryption key."""

from casework.crypto.aead import FieldIntegrityError
from casework.crypto.keyring import Keyring, current_keyring

__all__ = ["FieldIntegrityError", "Keyring", "current_keyring"]
