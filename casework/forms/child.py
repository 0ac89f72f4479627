"""Forms for the child's record: identity documents, age, guardians, placement."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, Optional, ValidationError

from casework.casefile.record.child import ADDRESS_MAX, TEXT_MAX
from casework.codes import CodeList
from casework.forms.fields import CodeSelect, Section, blank_to_none, text_limit, version_field
from casework.forms.validators import (
    DateNotBefore,
    DateNotInFuture,
    PrintableMultiline,
    PrintableText,
    strip_text,
)

OLDEST_YEARS = 30
AGE_LIMIT = 30


def _text(label: Any, required: Any = None, **kw: Any) -> StringField:
    first = DataRequired(required) if required else Optional()
    return StringField(
        label,
        filters=[strip_text, blank_to_none],
        validators=[first, text_limit(TEXT_MAX), PrintableText()],
        render_kw={"autocomplete": "off"},
        **kw,
    )


def _past_date(label: Any, required: Any = None, **kw: Any) -> DateField:
    first = InputRequired(required) if required else Optional()
    return DateField(
        label, validators=[first, DateNotInFuture(), DateNotBefore(OLDEST_YEARS)], **kw
    )


class NotBefore:
    """This date field must not be earlier than the date in `other`."""

    def __init__(self, other: str, message: Any) -> None:
        self.other = other
        self.message = message

    def __call__(self, form: Any, field: Any) -> None:
        start = form[self.other].data
        if field.data is not None and start is not None and field.data < start:
            raise ValidationError(self.message)


class DocumentForm(FlaskForm):  # type: ignore[misc]
    kind = CodeSelect(
        _l("Kind of document"),
        CodeList.DOCUMENT_TYPE,
        validators=[DataRequired(_l("Choose the kind of document."))],
    )
    number = _text(_l("Document number"))
    issuing_country = CodeSelect(_l("Issued by"), CodeList.COUNTRY)
    expires_on = DateField(_l("Valid until"), validators=[Optional()])
    check = CodeSelect(
        _l("Is it genuine?"),
        CodeList.DOCUMENT_CHECK,
        validators=[DataRequired(_l("Choose one; “Not checked” is a valid answer."))],
    )
    sections: ClassVar[list[Section]] = [
        (_l("The document"), ["kind", "number", "issuing_country", "expires_on", "check"])
    ]


class AgeForm(FlaskForm):  # type: ignore[misc]
    status = CodeSelect(
        _l("State of the child's age"),
        CodeList.AGE_STATUS,
        validators=[DataRequired(_l("Choose the state of the child's age."))],
        description=_l("While the age is uncertain the child is presumed to be a child."),
    )
    method = CodeSelect(_l("Method"), CodeList.AGE_METHOD)
    assessor = _text(_l("Assessed by"))
    assessed_on = _past_date(_l("Date of the assessment"))
    age_min = IntegerField(
        _l("Youngest possible age"),
        validators=[Optional(), NumberRange(0, AGE_LIMIT, _l("Enter an age from 0 to 30."))],
    )
    age_max = IntegerField(
        _l("Oldest possible age"),
        validators=[Optional(), NumberRange(0, AGE_LIMIT, _l("Enter an age from 0 to 30."))],
    )
    version = version_field()
    sections: ClassVar[list[Section]] = [
        (_l("Age"), ["status", "method", "assessor", "assessed_on"]),
        (_l("Outcome range"), ["age_min", "age_max"]),
    ]

    def validate_age_max(self, field: Any) -> None:
        low = self.age_min.data
        if field.data is not None and low is not None and field.data < low:
            raise ValidationError(_l("The oldest age cannot be below the youngest."))

    def validate_status(self, field: Any) -> None:
        # On the status: the range fields are optional, and an empty optional field stops
        # its own checks before they run.
        if field.data == "assessed" and self.age_min.data is None and self.age_max.data is None:
            raise ValidationError(_l("An assessed age needs its outcome range below."))


class GuardianForm(FlaskForm):  # type: ignore[misc]
    kind = CodeSelect(
        _l("Role"), CodeList.GUARDIAN_TYPE, validators=[DataRequired(_l("Choose the role."))]
    )
    name = _text(_l("Name"), description=_l("The person or service appointed."))
    appointing_authority = _text(
        _l("Appointed by"), required=_l("Name the authority that appointed them.")
    )
    appointed_on = _past_date(_l("Appointed on"), required=_l("Enter the date of appointment."))
    reason = CodeSelect(
        _l("Why a guardian or representative"),
        CodeList.GUARDIAN_REASON,
        validators=[DataRequired(_l("Choose the reason."))],
    )
    ended_on = DateField(
        _l("Appointment ended on"),
        validators=[
            Optional(),
            NotBefore("appointed_on", _l("The appointment cannot end before it starts.")),
        ],
        description=_l("Leave empty while the appointment lasts."),
    )
    version = version_field()
    sections: ClassVar[list[Section]] = [
        (
            _l("Guardian or representative"),
            ["kind", "name", "appointing_authority", "appointed_on", "reason", "ended_on"],
        )
    ]


class PlacementForm(FlaskForm):  # type: ignore[misc]
    kind = CodeSelect(
        _l("Where the child lives"),
        CodeList.PLACEMENT_TYPE,
        validators=[DataRequired(_l("Choose where the child lives."))],
    )
    address = TextAreaField(
        _l("Address"),
        filters=[lambda v: v.strip() if isinstance(v, str) else v, blank_to_none],
        validators=[Optional(), text_limit(ADDRESS_MAX), PrintableMultiline()],
        description=_l("Only the team's social workers and police see the address."),
    )
    since = _past_date(_l("Since"))
    version = version_field()
    sections: ClassVar[list[Section]] = [(_l("Current placement"), ["kind", "address", "since"])]
