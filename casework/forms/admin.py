from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from casework.forms.validators import PrintableText, strip_text

USERNAME_PATTERN = r"^[a-z0-9._-]{1,64}$"


class AssignmentForm(FlaskForm):  # type: ignore[misc]
    """Role and organisation; choices are filled in by the view."""

    role = SelectField(_l("Role"), validators=[DataRequired(_l("Choose a role."))])
    organisation = SelectField(
        _l("Organisation"), validators=[DataRequired(_l("Choose an organisation."))]
    )


class NewUserForm(AssignmentForm):
    username = StringField(
        _l("User name"),
        filters=[lambda v: v.strip().lower() if isinstance(v, str) else v],
        validators=[
            DataRequired(_l("Choose a user name.")),
            Regexp(
                USERNAME_PATTERN,
                message=_l("Use lower-case letters, digits, dots, dashes and underscores."),
            ),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "none"},
    )
    display_name = StringField(
        _l("Full name"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Enter the person's full name.")),
            Length(max=200, message=_l("Use at most %(max)d characters.")),
            PrintableText(),
        ],
        render_kw={"autocomplete": "off"},
    )


class ActionForm(FlaskForm):  # type: ignore[misc]
    """No fields: the CSRF token of a one-button action."""


class ProfessionForm(FlaskForm):  # type: ignore[misc]
    """The person's own profession; choices (actor types) are filled in by the view."""

    profession = SelectField(
        _l("Profession"),
        description=_l(
            "Health and child psychiatry let the person be on a team in that capacity, "
            "which opens the clinical notes."
        ),
    )
