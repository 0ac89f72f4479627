class CaseNotFound(Exception):
    """No such case, or one the caller may not reach: the two are indistinguishable."""


class NotPermitted(Exception):
    """The caller's role does not allow this action at all."""
