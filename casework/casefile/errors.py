class CaseNotFound(Exception):
    """No such case, or one the caller may not reach: the two are indistinguishable."""


class NotPermitted(Exception):
    """The caller's role (or read-only access) does not allow this action."""


class StaleEdit(Exception):
    """The record changed since the caller's form was loaded; nothing was written."""

    def __init__(self, current_version: int | None) -> None:
        super().__init__(current_version)
        self.current_version = current_version


class ReasonTooShort(ValueError):
    """A stated reason is too short to mean anything."""
