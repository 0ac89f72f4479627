"""The names the code checks: permissions and roles (config/access_policy.toml declares
the same), and the field groups a case's record is divided into."""

from enum import StrEnum

from casework.models.field_groups import FieldGroup

__all__ = ["FieldGroup", "Permission", "Role"]


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


class Role(StrEnum):
    POLICE = "police"
    PROSECUTOR = "prosecutor"
    SOCIAL_WORKER = "social_worker"
    NGO_WORKER = "ngo_worker"
    COORDINATOR = "coordinator"
    AUDITOR = "auditor"
    ADMIN = "admin"
    ANALYST = "analyst"
