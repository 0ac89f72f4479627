"""Form fields over the coded lists in config/codes.toml, and a few shared pieces.

Choices are built when the form is made, in the reader's language; a code posted by
hand that is not in the list fails the field's own choice check, beside the field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, IntegerField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from casework.codes import CodeList, choices, nationality_choices
from casework.forms.validators import PrintableText

# A fieldset of a form: its legend and the names of its fields, in order.
Section = tuple[Any, list[str]]

PLACEHOLDER = _l("Choose …")
MULTI_HINT = _l("Hold Ctrl (⌘ on a Mac) to choose more than one.")
NOT_OFFERED = _l("This is not one of the answers offered. Choose from the list.")


def _choices(name: CodeList, placeholder: bool, skip: frozenset[str]) -> Callable[[], Any]:
    def build() -> list[tuple[str, str]]:
        pairs = [(code, label) for code, label in choices(name) if code not in skip]
        return [("", str(PLACEHOLDER)), *pairs] if placeholder else pairs

    return build


class CodeSelect(SelectField):  # type: ignore[misc]
    """One code from a list; "" (the placeholder) means no answer."""

    def __init__(
        self, label: Any, code_list: CodeList, skip: frozenset[str] = frozenset(), **kw: Any
    ) -> None:
        kw.setdefault("invalid_choice_message", NOT_OFFERED)
        kw.setdefault("default", "")  # a form posted without the field gave no answer
        super().__init__(label, choices=_choices(code_list, True, skip), **kw)


def picker() -> dict[str, Any]:
    """A long multiple select that static/js/forms.js makes searchable: a filter box
    above it and the chosen entries below; without scripts it stays a plain list."""
    return {
        "size": 8,
        "data-picker": "",
        "data-filter-label": _l("Type to narrow the list"),
        "data-chosen-label": _l("Chosen:"),
        "data-none-label": _l("nothing yet"),
    }


class CodeMultiSelect(SelectMultipleField):  # type: ignore[misc]
    """Several codes from a long list (countries, languages): a native multiple select."""

    def __init__(self, label: Any, code_list: CodeList, **kw: Any) -> None:
        kw.setdefault("description", MULTI_HINT)
        kw.setdefault("render_kw", picker())
        kw.setdefault("invalid_choice_message", NOT_OFFERED)
        super().__init__(label, choices=_choices(code_list, False, frozenset()), **kw)


class NationalityMultiSelect(SelectMultipleField):  # type: ignore[misc]
    """Countries, and the answers that are no country (stateless, not known)."""

    def __init__(self, label: Any, **kw: Any) -> None:
        kw.setdefault("description", MULTI_HINT)
        kw.setdefault("render_kw", picker())
        kw.setdefault("invalid_choice_message", NOT_OFFERED)
        super().__init__(label, choices=nationality_choices, **kw)


class CodeCheckboxes(SelectMultipleField):  # type: ignore[misc]
    """Several codes from a short list, as a group of checkboxes under one legend."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, label: Any, code_list: CodeList, **kw: Any) -> None:
        kw.setdefault("invalid_choice_message", NOT_OFFERED)
        super().__init__(label, choices=_choices(code_list, False, frozenset()), **kw)


class LinesField(TextAreaField):  # type: ignore[misc]
    """A list of short texts, one per line (aliases)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        text = valuelist[0] if valuelist else ""
        self.data = [" ".join(line.split()) for line in text.splitlines() if line.strip()]

    def _value(self) -> str:
        return "\n".join(self.data or [])


class EachLine:
    """At most `count` lines of at most `length` printable characters each."""

    def __init__(self, count: int, length: int) -> None:
        self.count = count
        self.length = length

    def __call__(self, form: Form, field: Field) -> None:
        lines = field.data or []
        if len(lines) > self.count:
            raise ValidationError(_l("Give at most %(count)d, one per line.", count=self.count))
        for line in lines:
            if len(line) > self.length:
                raise ValidationError(
                    _l("Each line may have at most %(max)d characters.", max=self.length)
                )
            PrintableText()(form, _Value(line))


class _Value:
    def __init__(self, data: str) -> None:
        self.data = data


def version_field() -> IntegerField:
    """The version the form was loaded with; empty for a record not made yet."""
    return IntegerField(widget=HiddenInput(), validators=[Optional()])


def text_limit(maximum: int) -> Length:
    return Length(max=maximum, message=_l("Use at most %(max)d characters."))


def blank_to_none(value: Any) -> Any:
    """Empty answers are stored as "no answer", not as an empty string."""
    if isinstance(value, str) and not value.strip():
        return None
    return value
