"""Access policy: named permissions, roles, field groups, and the caller making a request."""

from casework.access.permissions import Permission
from casework.access.policy import AccessLevel, Policy, PolicyError, current_policy, load_policy

__all__ = [
    "AccessLevel",
    "Permission",
    "Policy",
    "PolicyError",
    "current_policy",
    "load_policy",
]
