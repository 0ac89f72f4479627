"""The audit log: one hash-chained event per read, change, login, denial ..."""

from casework.audit.chain import GENESIS_HASH, canonical_bytes, event_hash
from casework.audit.events import Action, Outcome, record

__all__ = ["GENESIS_HASH", "Action", "Outcome", "canonical_bytes", "event_hash", "record"]
