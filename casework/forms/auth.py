from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from casework.passwords import MAX_LENGTH


class LoginForm(FlaskForm):  # type: ignore[misc]
    username = StringField(
        _l("User name"),
        validators=[DataRequired(_l("Enter your user name.")), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


class LogoutForm(FlaskForm):  # type: ignore[misc]
    """No fields: carries the CSRF token of the sign-out button."""
