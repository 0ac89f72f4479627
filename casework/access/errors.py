"""The door's refusals. Views map each to a page once, for the whole app."""

from __future__ import annotations


class CaseNotFound(Exception):
    """No such case, or one the caller may not reach: the two are indistinguishable."""


class NotPermitted(Exception):
    """The caller's role (or read-only access) does not allow this action."""


class StaleEdit(Exception):
    """The record changed since the caller's form was loaded; nothing was written."""

    def __init__(self, current_version: int | None) -> None:
        super().__init__(current_version)
        self.current_version = current_version


class RecordNotFound(CaseNotFound):
    """A record id that does not belong to the case reached: answered like a missing case."""


class CaseClosed(NotPermitted):
    """The case is closed: it must be reopened before anything in it changes."""


class CaseErased(NotPermitted):
    """The case was erased: its content is gone for good and nothing in it changes."""


class CaseMerged(NotPermitted):
    """The case was merged into another: it is a stub and nothing in it changes."""


class WrongStatus(Exception):
    """The case is no longer in a status that allows this step (someone moved it on)."""

    def __init__(self, status: str) -> None:
        super().__init__(status)
        self.status = status


class InvalidInput(ValueError):
    """Nothing was stored; `message` (translatable) belongs beside `field`."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(field)
        self.field = field
        self.message = message
