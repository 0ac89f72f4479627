"""Loading and checking config/access_policy.toml.

The file is the truth for which roles exist and what each may do and see; the code
knows only the permissions and field groups. Adding a role is a change to the file (and
its label to the translations), not to code. Start-up refuses a policy that names an
unknown permission, field group, access level, actor type (one config/codes.toml does not
offer) or identity field, a role whose name is not a code, or that leaves out a declared
permission.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Any

from flask import current_app

from casework import codes
from casework.access.permissions import FieldGroup, Permission
from casework.codes import CodeList
from casework.codes.lists import load_lists
from casework.settings import line_of

EXTENSION_KEY = "casework.policy"
ROLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")
# What "minimal" identity may show; a role may narrow it (an interpreter: no age).
MINIMAL_IDENTITY_FIELDS = ("given_name", "age", "languages")
DEFAULT_MINIMAL_IDENTITY = frozenset({"given_name", "age"})


class PolicyError(RuntimeError):
    """The policy file is malformed; the message names the file and the problem."""


class AccessLevel(IntEnum):
    NONE = 0
    MINIMAL = 1
    SUMMARY = 2
    READ = 3
    WRITE = 4


@dataclass(frozen=True)
class RolePolicy:
    name: str
    label: str
    permissions: frozenset[Permission]
    field_groups: dict[FieldGroup, AccessLevel]
    # The actor type a member of this role joins a team with unless told otherwise.
    actor_type: str = ""
    # What minimal identity access shows to this role.
    minimal_identity: frozenset[str] = DEFAULT_MINIMAL_IDENTITY
    # Whether members see who else is on the team, and the case's history.
    sees_team: bool = True
    sees_history: bool = True
    sees_flags: bool = True

    def level(self, group: FieldGroup) -> AccessLevel:
        return self.field_groups.get(group, AccessLevel.NONE)


# What a flag rule may ask to be recorded before a flag of its kind is resolved.
FLAG_REQUIREMENTS = frozenset({"non_punishment_consideration"})


@dataclass(frozen=True)
class FlagRule:
    """Who resolves flags of one kind, and what must be on the case first."""

    resolved_by: frozenset[str]
    requires: str | None = None


@dataclass(frozen=True)
class Policy:
    roles: dict[str, RolePolicy]
    # Kinds of flag with rules; any other kind is resolved by roles with flag:write.
    flag_rules: dict[str, FlagRule] = field(default_factory=dict)

    def may_resolve(self, role: str, kind: str) -> bool:
        rule = self.flag_rules.get(kind)
        return self.allows(role, Permission.FLAG_WRITE) and (
            rule is None or role in rule.resolved_by
        )

    def role(self, name: str) -> RolePolicy:
        try:
            return self.roles[name]
        except KeyError:
            raise PolicyError(f"no role {name!r} in the access policy") from None

    def allows(self, role: str, permission: Permission) -> bool:
        policy = self.roles.get(role)
        return policy is not None and permission in policy.permissions

    def level(self, role: str, group: FieldGroup) -> AccessLevel:
        policy = self.roles.get(role)
        return policy.level(group) if policy else AccessLevel.NONE

    def readable_groups(self, role: str) -> list[FieldGroup]:
        return [g for g in FieldGroup if self.level(role, g) > AccessLevel.NONE]

    def names(self) -> list[str]:
        return list(self.roles)

    def label(self, role: str) -> str:
        policy = self.roles.get(role)
        return policy.label if policy else role

    def holders(self, permission: Permission) -> frozenset[str]:
        """The roles that have `permission`."""
        return frozenset(n for n, r in self.roles.items() if permission in r.permissions)


def load_policy(path: Path, actor_types: Collection[str] | None = None) -> Policy:
    """The policy in `path`. A role's actor type must be one of `actor_types`: those that
    config/codes.toml offers ([lists.actor_type], retired ones left out), read from the
    codes file when not given."""
    if actor_types is None:
        actor_types = load_lists(codes.CODES_FILE).offered(CodeList.ACTOR_TYPE)
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except OSError as exc:
        raise PolicyError(f"{path}: cannot be read: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PolicyError(f"{path}: {exc}") from None
    return _parse(path, data, frozenset(actor_types), path.read_text(encoding="utf-8"))


def _parse(path: Path, data: dict[str, Any], actor_types: frozenset[str], text: str) -> Policy:
    def fail(reason: str) -> PolicyError:
        line = line_of(text, reason)
        where = f"{path}, line {line}" if line else str(path)
        return PolicyError(f"{where}: {reason}")

    groups = data.get("field_groups")
    if not isinstance(groups, list):
        raise fail("field_groups must be a list")
    if set(groups) != {g.value for g in FieldGroup}:
        unknown = sorted(set(groups) - {g.value for g in FieldGroup})
        missing = sorted({g.value for g in FieldGroup} - set(groups))
        raise fail(f"field_groups: unknown {unknown}, missing {missing}")
    declared = data.get("permissions")
    if not isinstance(declared, dict):
        raise fail("[permissions] must be a table of name = description")
    for name in declared:
        if name not in Permission._value2member_map_:
            raise fail(f"unknown permission {name!r} in [permissions]")
    for permission in Permission:
        if permission.value not in declared:
            raise fail(f"permission {permission.value!r} is not declared in [permissions]")
    roles_data = data.get("roles")
    if not isinstance(roles_data, dict):
        raise fail("[roles] is missing")
    roles: dict[str, RolePolicy] = {}
    for name, body in roles_data.items():
        if not ROLE_NAME.fullmatch(name):
            raise fail(f"role name {name!r} must be lower-case letters, digits, underscores")
        roles[name] = _parse_role(name, body, actor_types, fail)
    for permission in (Permission.USERS_MANAGE, Permission.AUDIT_READ):
        if not any(permission in r.permissions for r in roles.values()):
            raise fail(f"no role has {permission.value!r}")
    return Policy(roles=roles, flag_rules=_parse_flags(data.get("flags", {}), roles, fail))


def _parse_flags(data: Any, roles: dict[str, RolePolicy], fail: Any) -> dict[str, FlagRule]:
    """[flags.<kind>]: resolved_by (roles with flag:write), requires (a known record)."""
    if not isinstance(data, dict):
        raise fail("[flags] must be a table of flag kinds")
    rules: dict[str, FlagRule] = {}
    for kind, body in data.items():
        if not isinstance(body, dict) or not isinstance(body.get("resolved_by"), list):
            raise fail(f"[flags.{kind}] needs resolved_by, a list of roles")
        for role in body["resolved_by"]:
            if role not in roles:
                raise fail(f"[flags.{kind}]: unknown role {role!r}")
            if Permission.FLAG_WRITE not in roles[role].permissions:
                raise fail(f"[flags.{kind}]: role {role!r} lacks flag:write")
        requires = body.get("requires")
        if requires is not None and requires not in FLAG_REQUIREMENTS:
            raise fail(f"[flags.{kind}]: unknown requirement {requires!r}")
        rules[kind] = FlagRule(frozenset(body["resolved_by"]), requires)
    return rules


def _parse_role(name: str, body: Any, actor_types: frozenset[str], fail: Any) -> RolePolicy:
    if not isinstance(body, dict):
        raise fail(f"[roles.{name}] must be a table")
    permissions = set()
    for perm in body.get("permissions", []):
        if perm not in Permission._value2member_map_:
            raise fail(f"role {name!r}: unknown permission {perm!r}")
        permissions.add(Permission(perm))
    levels: dict[FieldGroup, AccessLevel] = {}
    for group, level in body.get("field_groups", {}).items():
        if group not in FieldGroup._value2member_map_:
            raise fail(f"role {name!r}: unknown field group {group!r}")
        try:
            levels[FieldGroup(group)] = AccessLevel[str(level).upper()]
        except KeyError:
            raise fail(f"role {name!r}: unknown access level {level!r} for {group}") from None
    actor_type = str(body.get("actor_type", ""))
    if actor_type and actor_type not in actor_types:
        raise fail(
            f"role {name!r}: unknown actor type {actor_type!r} (not offered by config/codes.toml)"
        )
    minimal = body.get("minimal_identity", sorted(DEFAULT_MINIMAL_IDENTITY))
    if not isinstance(minimal, list):
        raise fail(f"role {name!r}: give a list for 'minimal_identity'")
    for item in minimal:
        if item not in MINIMAL_IDENTITY_FIELDS:
            raise fail(
                f"role {name!r}: minimal_identity names only "
                f"{', '.join(MINIMAL_IDENTITY_FIELDS)}, not {item!r}"
            )
    flags = {}
    for key in ("sees_team", "sees_history", "sees_flags"):
        value = body.get(key, True)
        if not isinstance(value, bool):
            raise fail(f"role {name!r}: give true or false for '{key}'")
        flags[key] = value
    return RolePolicy(
        name=name,
        label=str(body.get("label", name)),
        permissions=frozenset(permissions),
        field_groups=levels,
        actor_type=actor_type,
        minimal_identity=frozenset(minimal),
        **flags,
    )


def current_policy() -> Policy:
    policy: Policy = current_app.extensions[EXTENSION_KEY]
    return policy
