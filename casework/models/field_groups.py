"""The parts a case's record is divided into. Every encrypted record belongs to one; the
access policy says which role reads or writes which, and audit events name the groups
a read or change touched (names only, never values)."""

from enum import StrEnum


class FieldGroup(StrEnum):
    IDENTITY = "identity"
    IDENTIFICATION = "identification"
    INVESTIGATION = "investigation"
    MIGRATION = "migration"
    LOCATION = "location"
    HEALTH = "health"
    SUPPORT_PLAN = "support_plan"
    CHILD_VIEWS = "child_views"
    NON_PUNISHMENT = "non_punishment"
