"""The migration status form, with the recovery and reflection period checked against
the country's minimum in config/country_rules.toml."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField
from wtforms.validators import DataRequired, Optional, ValidationError

from casework.casefile.record.migration import (
    COUNTRIES_MAX,
    reflection_minimum,
    reflection_too_short,
)
from casework.codes import CodeList
from casework.forms.child import NotBefore
from casework.forms.fields import CodeMultiSelect, CodeSelect, Section, version_field
from casework.forms.validators import DateNotBefore, DateNotInFuture


def _at_most(count: int) -> Any:
    def check(form: Any, field: Any) -> None:
        if len(field.data or ()) > count:
            raise ValidationError(_l("Choose at most %(count)d countries.", count=count))

    return check


class MigrationForm(FlaskForm):  # type: ignore[misc]
    care_situation = CodeSelect(
        _l("Care situation"),
        CodeList.CARE_SITUATION,
        validators=[DataRequired(_l("Choose the child's care situation."))],
        description=_l(
            "An unaccompanied or separated child without a guardian raises a flag until a "
            "guardian is recorded."
        ),
    )
    residence_status = CodeSelect(
        _l("Residence status"),
        CodeList.RESIDENCE_STATUS,
        validators=[DataRequired(_l("Choose the residence status, or “Not known”."))],
    )
    origin_countries = CodeMultiSelect(
        _l("Countries of origin"), CodeList.COUNTRY, validators=[_at_most(COUNTRIES_MAX)]
    )
    transit_countries = CodeMultiSelect(
        _l("Countries of transit"), CodeList.COUNTRY, validators=[_at_most(COUNTRIES_MAX)]
    )
    reflection_country = CodeSelect(
        _l("Country granting the period"),
        CodeList.COUNTRY,
        description=_l("Its law sets the default and the shortest period."),
    )
    reflection_start = DateField(
        _l("Recovery and reflection period starts"),
        validators=[Optional(), DateNotInFuture(), DateNotBefore(5)],
    )
    reflection_end = DateField(
        _l("Recovery and reflection period ends"),
        validators=[
            Optional(),
            NotBefore("reflection_start", _l("The period cannot end before it starts.")),
        ],
        description=_l("Leave empty for the country's default length."),
    )
    version = version_field()
    sections: ClassVar[list[Section]] = [
        (_l("Status"), ["care_situation", "residence_status"]),
        (_l("Route"), ["origin_countries", "transit_countries"]),
        (
            _l("Recovery and reflection period"),
            ["reflection_country", "reflection_start", "reflection_end"],
        ),
    ]

    def validate_reflection_end(self, field: Any) -> None:
        start = self.reflection_start.data
        country = self.reflection_country.data or None
        if field.data is not None and start is None:
            raise ValidationError(_l("Enter the start of the period too."))
        if field.data is not None and field.data < (start or field.data):
            return  # NotBefore has said it
        if reflection_too_short(country, start, field.data):
            raise ValidationError(
                _l(
                    "The period must last at least %(days)d days.",
                    days=reflection_minimum(country),
                )
            )
