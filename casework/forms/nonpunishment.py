"""Forms for non-punishment considerations and prosecution decisions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import HiddenInput

from casework.codes import CodeList
from casework.forms.support import choices, code_select, long_text, select, short_text
from casework.labels import CLEAR_RECORD, LINK


class ConsiderationForm(FlaskForm):  # type: ignore[misc]
    offence = code_select(
        _l("Alleged offence"), CodeList.OFFENCE, _l("Choose the offence category.")
    )
    stage = code_select(
        _l("Stage reached"), CodeList.NON_PUNISHMENT_STAGE, _l("Choose the stage reached.")
    )
    link = select(
        _l("Direct consequence of the exploitation?"),
        LINK,
        _l("Choose yes, no or unclear."),
    )
    rationale = long_text(
        _l("Rationale"),
        _l("Explain the link, or why there is none."),
        _l("For a child, no compulsion needs to be shown."),
    )
    assessed_on = DateField(
        _l("Trafficking assessment completed on"),
        validators=[Optional()],
        description=_l("Leave empty while the assessment is not completed."),
    )
    assessor = short_text(_l("Assessor"))
    # Empty only for a new entry; the door refuses a change of an entry without it.
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class DecisionForm(FlaskForm):  # type: ignore[misc]
    decided_on = DateField(_l("Decided on"), validators=[InputRequired(_l("Give the date."))])
    decision_maker = short_text(_l("Decision-maker"), _l("Name who decided."))
    outcome = code_select(_l("Outcome"), CodeList.NON_PUNISHMENT_OUTCOME, _l("Choose the outcome."))
    departure_reasons = long_text(
        _l("Reasons for departing from the assessment"),
        description=_l(
            "Required when the child is prosecuted although a link is found or unclear."
        ),
    )
    override_reason = long_text(
        _l("Why the decision cannot wait for the assessment"),
        description=_l("Only when no assessment is recorded. The decision is then flagged."),
    )
    clear_record = SelectField(
        _l("Request to clear a criminal record"),
        choices=choices(CLEAR_RECORD),
        validators=[Optional()],
        validate_choice=False,
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class CorrectionForm(ConsiderationForm):
    """A correction of a decided entry: the entry as it should read, and why."""

    correction_reason = long_text(
        _l("What is corrected, and why"),
        _l("Say what is corrected and why."),
        _l("The original entry and its decision stay on the record beside the correction."),
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
