"""Refusals of bad input, named by the form field they belong beside."""

from __future__ import annotations


class InvalidInput(ValueError):
    """Nothing was stored; `message` (translatable) belongs beside `field`."""

    def __init__(self, field: str, message: object) -> None:
        super().__init__(field)
        self.field = field
        self.message = message
