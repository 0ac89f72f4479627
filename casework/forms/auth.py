from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from casework.auth.passwords import MAX_LENGTH, MIN_LENGTH
from casework.forms.validators import PrintableText

CODE_FIELD_MAX = 20


def _code_field() -> StringField:
    return StringField(
        _l("Code from your authenticator app, or a recovery code"),
        validators=[
            DataRequired(_l("Enter the code.")),
            Length(max=CODE_FIELD_MAX, message=_l("That is not a code.")),
        ],
        render_kw={
            "autocomplete": "one-time-code",
            "inputmode": "numeric",
            "spellcheck": "false",
            "autocapitalize": "none",
        },
    )


class LoginForm(FlaskForm):  # type: ignore[misc]
    username = StringField(
        _l("User name"),
        validators=[DataRequired(_l("Enter your user name.")), Length(max=64), PrintableText()],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class SecondFactorForm(FlaskForm):  # type: ignore[misc]
    code = _code_field()


class ReauthForm(FlaskForm):  # type: ignore[misc]
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    code = _code_field()


class EnrolForm(FlaskForm):  # type: ignore[misc]
    password = PasswordField(
        _l("Choose a password"),
        validators=[
            DataRequired(_l("Choose a password.")),
            Length(
                min=MIN_LENGTH,
                max=MAX_LENGTH,
                message=_l("Use %(min)d to %(max)d characters."),
            ),
        ],
        description=_l("At least 12 characters. A few unrelated words make a good password."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("The same password again"),
        validators=[
            DataRequired(_l("Type the password again.")),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    code = StringField(
        _l("The 6-digit code your authenticator app now shows"),
        validators=[DataRequired(_l("Enter the code.")), Length(max=CODE_FIELD_MAX)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )
    # Asked for only when the link needs it (the view drops it otherwise).
    enrolment_code = StringField(
        _l("Enrolment code"),
        validators=[DataRequired(_l("Enter the enrolment code.")), Length(max=CODE_FIELD_MAX)],
        description=_l(
            "The code the administrator who created your account gave you, separately "
            "from this link."
        ),
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )


class ResetPasswordForm(FlaskForm):  # type: ignore[misc]
    """The first step of a second-factor reset: the person's own current password."""

    password = PasswordField(
        _l("Your current password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class ResetCodeForm(FlaskForm):  # type: ignore[misc]
    code = StringField(
        _l("The 6-digit code your authenticator app now shows"),
        validators=[DataRequired(_l("Enter the code.")), Length(max=CODE_FIELD_MAX)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class LogoutForm(FlaskForm):  # type: ignore[misc]
    """No fields: carries the CSRF token of the sign-out button."""


class PasswordChangeForm(FlaskForm):  # type: ignore[misc]
    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    password = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(_l("Choose a new password.")),
            Length(
                min=MIN_LENGTH, max=MAX_LENGTH, message=_l("Use %(min)d to %(max)d characters.")
            ),
        ],
        description=_l("At least 12 characters. A few unrelated words make a good password."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("The new password again"),
        validators=[
            DataRequired(_l("Type the new password again.")),
            EqualTo("password", message=_l("The two passwords differ.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
