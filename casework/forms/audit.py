"""The auditor's filter form: a GET form, since it changes nothing, so no CSRF token."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, Form, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from casework.audit.events import CASE_REF_PATTERN, Action
from casework.audit.queries import EventFilter
from casework.audit_labels import ACTION, OUTCOME
from casework.forms.support import options
from casework.forms.validators import PrintableMultiline, strip_text

TIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M")


class ChoiceField(SelectField):  # type: ignore[misc]
    """A select whose refusal of an unknown value says what to do instead."""

    def __init__(self, *args: Any, invalid: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)
        self.invalid = invalid

    def pre_validate(self, form: Form) -> None:
        if self.data not in {value for value, _label in self.choices}:
            raise ValidationError(self.invalid)


class UtcTimeField(StringField):  # type: ignore[misc]
    """A day (YYYY-MM-DD) or a minute (YYYY-MM-DD HH:MM), in UTC. `end` makes the time
    inclusive by giving the first moment after it."""

    def __init__(self, *args: Any, end: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.end = end
        self.moment: datetime | None = None

    def pre_validate(self, form: Form) -> None:
        self.moment = None
        if not self.data:
            return
        try:
            day = datetime.strptime(self.data, "%Y-%m-%d")
        except ValueError:
            day = None
        if day is not None:
            self.moment = day + timedelta(days=1) if self.end else day
            return
        for layout in TIME_FORMATS:
            try:
                minute = datetime.strptime(self.data, layout)
            except ValueError:
                continue
            self.moment = minute + timedelta(minutes=1) if self.end else minute
            return
        raise ValidationError(_l("Enter a date like 2026-11-29, or a time like 2026-11-29 14:30."))


class AuditFilterForm(FlaskForm):  # type: ignore[misc]
    class Meta:
        csrf = False

    user = StringField(
        _l("User name"),
        filters=[strip_text],
        validators=[
            Optional(),
            Length(max=64, message=_l("Use at most %(max)d characters.")),
            Regexp(
                r"^[A-Za-z0-9._-]+$", message=_l("User names have letters, digits, . _ - only.")
            ),
        ],
    )
    organisation = ChoiceField(
        _l("Organisation"), invalid=_l("Choose an organisation from the list.")
    )
    case_ref = StringField(
        _l("Case reference"),
        filters=[strip_text, lambda v: v.upper() if isinstance(v, str) else v],
        validators=[
            Optional(),
            Regexp(
                f"^{CASE_REF_PATTERN.pattern}$",
                message=_l("Enter a reference like CW-2026-7KX4QM."),
            ),
        ],
    )
    action = ChoiceField(_l("Action"), invalid=_l("Choose an action from the list."))
    outcome = ChoiceField(_l("Outcome"), invalid=_l("Choose an outcome from the list."))
    since = UtcTimeField(
        _l("From (UTC)"), description=_l("A day, or a day and time: 2026-11-29 14:30.")
    )
    until = UtcTimeField(
        _l("To (UTC)"), end=True, description=_l("Up to and including that day or minute.")
    )

    def __init__(self, *args: Any, organisations: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        any_choice = ("", _l("Any"))
        by_name = sorted(organisations.items(), key=lambda item: item[1].casefold())
        self.organisation.choices = [any_choice, *by_name]
        # Every action the log can hold, by its label: an action without a label would
        # be a filter nobody can choose (tests/unit/test_audit_labels.py).
        self.action.choices = [
            any_choice,
            *sorted(((a.value, ACTION[a]) for a in Action), key=lambda c: str(c[1]).casefold()),
        ]
        self.outcome.choices = [
            any_choice,
            *OUTCOME.items(),
        ]

    def validate_until(self, field: Field) -> None:
        start, end = self.since.moment, self.until.moment
        if start is not None and end is not None and end <= start:
            raise ValidationError(_l("The end is before the start."))

    def to_filter(self) -> EventFilter:
        return EventFilter(
            actor=(self.user.data or "").lower(),
            organisation=self.organisation.data or "",
            case_ref=self.case_ref.data or "",
            action=self.action.data or "",
            outcome=self.outcome.data or "",
            since=self.since.moment,
            until=self.until.moment,
        )


class VerifyForm(FlaskForm):  # type: ignore[misc]
    """No fields: carries the CSRF token of the "verify now" button."""


class BreakGlassVerdictForm(FlaskForm):  # type: ignore[misc]
    """An auditor's review of one break-glass use."""

    justified = RadioField(
        _l("Was this use justified?"),
        choices=options([("yes", _l("Justified")), ("no", _l("Not justified"))]),
        validators=[InputRequired(_l("Choose whether the use was justified."))],
    )
    note = TextAreaField(
        _l("Note"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Write what you checked and found.")),
            Length(max=2000, message=_l("Use at most %(max)d characters.")),
            PrintableMultiline(),
        ],
    )
