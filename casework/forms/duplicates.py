from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, RadioField
from wtforms.validators import DataRequired, InputRequired
from wtforms.widgets import HiddenInput


class SameChildDecisionForm(FlaskForm):  # type: ignore[misc]
    """Link or dismiss a possible same child; `version` catches a decision made meanwhile."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class MergeForm(FlaskForm):  # type: ignore[misc]
    survivor = RadioField(
        _l("Which case goes on?"),
        validators=[DataRequired(_l("Choose the case that goes on."))],
        description=_l(
            "The other case's records move into it; the other case is left as a pointer."
        ),
    )
    confirm = BooleanField(
        _l("I have checked that both cases are about the same child, and I agree to merge them."),
        validators=[DataRequired(_l("Confirm that both cases are about the same child."))],
    )
