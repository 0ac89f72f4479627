"""The names the code checks: permissions (config/access_policy.toml declares the same)
and the field groups a case's record is divided into. Roles are data: the policy file
names them, the code never does."""

from enum import StrEnum

from casework.models.field_groups import FieldGroup

__all__ = ["FieldGroup", "Permission"]


class Permission(StrEnum):
    """Every permission the code checks. config/access_policy.toml declares the same set."""

    CASE_CREATE = "case:create"
    CASE_READ = "case:read"
    CASE_UPDATE = "case:update"
    CASE_OVERVIEW = "case:overview"
    BREAKGLASS_USE = "breakglass:use"
    TEAM_ASSIGN = "team:assign"
    REFERRAL_CREATE = "referral:create"
    REFERRAL_DECIDE = "referral:decide"
    NONPUNISHMENT_DECIDE = "nonpunishment:decide"
    USERS_MANAGE = "users:manage"
    CASE_CLOSE = "case:close"
    FLAG_WRITE = "flag:write"
    CASE_SEARCH = "case:search"
    CASE_ERASE = "case:erase"
    AUDIT_READ = "audit:read"
    STATS_READ = "stats:read"
