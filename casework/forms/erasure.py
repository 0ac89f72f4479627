from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, DataRequired, Length, Regexp

from casework.auth.passwords import MAX_LENGTH
from casework.casefile.casewide.erasure import ErasureReason
from casework.forms.validators import strip_text

REFERENCE_MAX = 32
REFERENCE_PATTERN = r"^[A-Za-z0-9-]+$"

# Coded reasons, not free text: an erasure record must never hold what it destroyed.
REASONS = {
    ErasureReason.RETENTION_EXPIRED: _l("Its retention period has ended"),
    ErasureReason.OPENED_IN_ERROR: _l("It was opened in error"),
    ErasureReason.DUPLICATE: _l("It duplicates another case"),
    ErasureReason.DATA_SUBJECT_REQUEST: _l("A request to erase under data protection law"),
    ErasureReason.COURT_ORDER: _l("A court or supervisory authority ordered it"),
}


def _reference_field(label: object, required_message: object) -> StringField:
    return StringField(
        label,
        filters=[strip_text],
        validators=[
            DataRequired(required_message),
            Length(max=REFERENCE_MAX, message=_l("Use at most %(max)d characters.")),
            Regexp(REFERENCE_PATTERN, message=_l("A reference has letters, digits and dashes.")),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"},
    )


class EraseStartForm(FlaskForm):  # type: ignore[misc]
    reference = _reference_field(
        _l("Case reference"), _l("Enter the case reference, such as CW-2026-7KX4QM.")
    )
    reason = SelectField(
        _l("Reason for erasing"),
        choices=[SelectChoice("", _l("Choose …"))]
        + [SelectChoice(code.value, label) for code, label in REASONS.items()],
        validators=[DataRequired(_l("Choose the reason for erasing."))],
    )


class EraseConfirmForm(FlaskForm):  # type: ignore[misc]
    """The second confirmation: the reference typed again, and the password."""

    reference = HiddenField(validators=[DataRequired(), Regexp(REFERENCE_PATTERN)])
    reason = HiddenField(validators=[AnyOf([code.value for code in ErasureReason])])
    confirm_reference = _reference_field(
        _l("Type the case reference again"),
        _l("Type the case reference again to confirm."),
    )
    password = PasswordField(
        _l("Your password"),
        validators=[
            DataRequired(_l("Enter your password to confirm.")),
            Length(max=MAX_LENGTH),
        ],
        render_kw={"autocomplete": "current-password"},
    )
