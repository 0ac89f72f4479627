"""Validators shared by forms: printable text only, dates in a sane range."""

from __future__ import annotations

import unicodedata
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, Form
from wtforms.validators import ValidationError

from casework import clock


def strip_text(value: Any) -> Any:
    """Trim surrounding white space and fold inner runs into single spaces."""
    if isinstance(value, str):
        return " ".join(value.split())
    return value


class PrintableText:
    """Refuses control characters (NUL, escape sequences, bidi overrides ...)."""

    allowed: frozenset[str] = frozenset()

    def __call__(self, form: Form, field: Field) -> None:
        if not isinstance(field.data, str):
            return
        for char in field.data:
            if char in self.allowed:
                continue
            if unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn"):
                raise ValidationError(_l("Use letters, digits and punctuation only."))


class PrintableMultiline(PrintableText):
    """Like PrintableText, but line breaks and tabs are allowed."""

    allowed = frozenset("\n\r\t")


class DateNotInFuture:
    def __call__(self, form: Form, field: Field) -> None:
        if isinstance(field.data, date) and field.data > clock.today():
            raise ValidationError(_l("This date is in the future."))


class DateNotBefore:
    def __init__(self, years: int) -> None:
        self.years = years

    def __call__(self, form: Form, field: Field) -> None:
        today = clock.today()
        earliest = today.replace(year=today.year - self.years, day=min(today.day, 28))
        if isinstance(field.data, date) and field.data < earliest:
            raise ValidationError(
                _l("This date is more than %(years)d years ago.", years=self.years)
            )
