"""What the application's PostgreSQL role may do, applied after every migration.

Two roles (docs/operations.md): an owner that owns the schema and runs `casework db
upgrade`, and the application role the app servers connect as. The application role
reads and writes the case tables, may only read and append to the audit log, and holds
nothing else: no TRUNCATE, no REFERENCES, no TRIGGER, no DDL. Owning nothing, it cannot
drop, alter or disable the append-only triggers either.

`apply()` first revokes everything and then grants exactly this, so running it again
(after each migration) adds what new tables need and takes away what is no longer
meant. SQLite has no roles: there is nothing to apply.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, text

# Appended to, never changed: SELECT and INSERT only (their triggers refuse the rest).
APPEND_ONLY_TABLES = ("audit_event", "audit_checkpoint")
# Read by the readiness check; written by the owner's migrations only.
READ_ONLY_TABLES = ("alembic_version",)

_ROLE = re.compile(r"[a-z_][a-z0-9_]{0,62}")


class GrantError(ValueError):
    """The role name cannot be used; the message says why."""


def statements(role: str, tables: set[str], schema: str = "public") -> list[str]:
    """The SQL that gives `role` exactly the application's privileges, for a schema
    holding `tables` (an older schema may lack the audit tables)."""
    if not _ROLE.fullmatch(role):
        raise GrantError(f"the application role {role!r} must be lower-case letters, digits and _")
    if not _ROLE.fullmatch(schema):
        raise GrantError(f"the schema {schema!r} must be lower-case letters, digits and _")
    r, s = f'"{role}"', f'"{schema}"'
    append_only = ", ".join(f"{s}.{t}" for t in APPEND_ONLY_TABLES if t in tables)
    read_only = ", ".join(f"{s}.{t}" for t in READ_ONLY_TABLES if t in tables)
    sql = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}",
        f"REVOKE CREATE ON SCHEMA {s} FROM {r}",
        f"GRANT USAGE ON SCHEMA {s} TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {s} TO {r}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {r}",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {s} TO {r}",
    ]
    if append_only:
        sql.append(f"REVOKE UPDATE, DELETE ON {append_only} FROM {r}")
    if read_only:
        sql.append(f"REVOKE INSERT, UPDATE, DELETE ON {read_only} FROM {r}")
    return sql


def apply(connection: Connection, role: str) -> bool:
    """Give `role` the application's privileges on this database, in the caller's
    transaction; False (nothing done) on a database without roles (SQLite)."""
    if connection.dialect.name != "postgresql":
        return False
    exists = connection.scalar(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
    if not exists:
        raise GrantError(f"there is no PostgreSQL role {role!r}; create it first")
    tables = set(
        connection.scalars(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
    )
    for statement in statements(role, tables):
        connection.execute(text(statement))
    return True
