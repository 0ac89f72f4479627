from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from casework.forms.validators import DateNotBefore, DateNotInFuture, PrintableText, strip_text

NAME_MAX = 100
# A claimed date of birth can be wrong by years; the range only stops typing errors.
OLDEST_CLAIMED_AGE_YEARS = 30

SEX_CHOICES = [
    SelectChoice("", _l("Choose …")),
    SelectChoice("female", _l("Female")),
    SelectChoice("male", _l("Male")),
    SelectChoice("other", _l("Other")),
    SelectChoice("unknown", _l("Not known")),
]


class OpenCaseForm(FlaskForm):  # type: ignore[misc]
    given_name = StringField(
        _l("Given name"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Enter the child's given name, or the name the child uses.")),
            Length(max=NAME_MAX, message=_l("Use at most %(max)d characters.")),
            PrintableText(),
        ],
        render_kw={"autocomplete": "off"},
    )
    family_name = StringField(
        _l("Family name"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Enter the child's family name, or “unknown”.")),
            Length(max=NAME_MAX, message=_l("Use at most %(max)d characters.")),
            PrintableText(),
        ],
        render_kw={"autocomplete": "off"},
    )
    date_of_birth = DateField(
        _l("Date of birth (as claimed)"),
        validators=[Optional(), DateNotInFuture(), DateNotBefore(OLDEST_CLAIMED_AGE_YEARS)],
        description=_l("Leave empty if unknown. Format: YYYY-MM-DD."),
    )
    sex = SelectField(
        _l("Sex"),
        choices=SEX_CHOICES,
        validators=[DataRequired(_l("Choose one; “Not known” is a valid answer."))],
    )
    # Shown only when the duplicate check found possible existing cases of this child.
    not_a_duplicate = BooleanField(
        _l("None of these is the same child: open a new case"),
    )
