"""Forms for flags and for moving a case through its lifecycle."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField
from wtforms.validators import DataRequired, Optional

from casework.casefile.casewide.flags import AUTOMATIC_ONLY, TEXT_MAX
from casework.casefile.casewide.lifecycle import NOTE_MAX
from casework.codes import CodeList
from casework.forms.fields import CodeSelect, Section, blank_to_none, text_limit, version_field
from casework.forms.validators import PrintableMultiline


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class StepForm(FlaskForm):  # type: ignore[misc]
    """A lifecycle step without questions (take on, start support): the version only."""

    version = version_field()


class FlagForm(FlaskForm):  # type: ignore[misc]
    kind = CodeSelect(
        _l("Kind of flag"),
        CodeList.FLAG_KIND,
        skip=AUTOMATIC_ONLY,
        validators=[DataRequired(_l("Choose the kind of flag."))],
    )
    text = TextAreaField(
        _l("What the team must know"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Say in a sentence what the team must know.")),
            text_limit(TEXT_MAX),
            PrintableMultiline(),
        ],
        description=_l("Everyone on the case's support team sees flags."),
    )
    sections: ClassVar[list[Section]] = [(_l("The flag"), ["kind", "text"])]


class ResolveFlagForm(FlaskForm):  # type: ignore[misc]
    resolution = TextAreaField(
        _l("Why the flag is resolved"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Say why the flag no longer applies.")),
            text_limit(TEXT_MAX),
            PrintableMultiline(),
        ],
    )
    version = version_field()
    sections: ClassVar[list[Section]] = [(_l("Resolution"), ["resolution"])]


class _ReasonForm(FlaskForm):  # type: ignore[misc]
    note = TextAreaField(
        _l("Note"),
        filters=[_strip, blank_to_none],
        validators=[Optional(), text_limit(NOTE_MAX), PrintableMultiline()],
        description=_l("Needed when the reason is “Other”."),
    )
    version = version_field()

    def validate(self, extra_validators: Any = None) -> bool:
        # Here, not in validate_note: an empty optional field skips its own checks.
        valid: bool = super().validate(extra_validators)
        if self.reason.data == "other" and not self.note.data:
            self.note.errors.append(_l("Explain the reason in a note."))
            return False
        return valid


class CloseForm(_ReasonForm):
    reason = CodeSelect(
        _l("Why the case is closed"),
        CodeList.CLOSING_REASON,
        validators=[DataRequired(_l("Choose why the case is closed."))],
    )
    # Set by the confirmation page: the first post only asks "are you sure?".
    confirmed = HiddenField()
    sections: ClassVar[list[Section]] = [(_l("Closing the case"), ["reason", "note"])]


class ReopenForm(_ReasonForm):
    reason = CodeSelect(
        _l("Why the case is reopened"),
        CodeList.REOPENING_REASON,
        validators=[DataRequired(_l("Choose why the case is reopened."))],
    )
    sections: ClassVar[list[Section]] = [(_l("Reopening the case"), ["reason", "note"])]
