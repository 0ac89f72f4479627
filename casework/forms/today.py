"""Forms for tasks, missing-child episodes and a person's notification settings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional

from casework.casefile.casewide.missing import PLACE_MAX, REFERENCE_MAX, TEXT_MAX
from casework.casefile.today.tasks import NOTES_MAX, REASON_MAX, TITLE_MAX
from casework.forms.fields import Section, text_limit, version_field
from casework.forms.validators import PrintableMultiline, PrintableText, strip_text

MOMENT = "%Y-%m-%dT%H:%M"
MOMENT_HINT = _l("Date and time, as exactly as known.")


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class TaskForm(FlaskForm):  # type: ignore[misc]
    title = StringField(
        _l("What is to be done"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Say in a few words what is to be done.")),
            text_limit(TITLE_MAX),
            PrintableText(),
        ],
        render_kw={"autocomplete": "off"},
    )
    assignee = SelectField(
        _l("Who does it"),
        choices=[],
        validators=[DataRequired(_l("Choose a member of the case's team."))],
        invalid_choice_message=_l("Choose a member of the case's team."),
    )
    due_on = DateField(_l("Due on"), validators=[InputRequired(_l("Give the date it is due."))])
    notes = TextAreaField(
        _l("Notes"),
        filters=[_strip],
        validators=[Optional(), text_limit(NOTES_MAX), PrintableMultiline()],
        description=_l("Everyone on the case's support team sees tasks."),
    )
    version = version_field()
    sections: ClassVar[list[Section]] = [(_l("The task"), ["title", "assignee", "due_on", "notes"])]

    def offer(self, people: Iterable[tuple[str, str]]) -> None:
        self.assignee.choices = [("", str(_l("Choose …"))), *people]


class DoneTaskForm(FlaskForm):  # type: ignore[misc]
    version = version_field()


class CancelTaskForm(FlaskForm):  # type: ignore[misc]
    reason = TextAreaField(
        _l("Why the task is cancelled"),
        filters=[_strip],
        validators=[
            DataRequired(_l("Say why the task is no longer needed.")),
            text_limit(REASON_MAX),
            PrintableMultiline(),
        ],
    )
    version = version_field()
    sections: ClassVar[list[Section]] = [(_l("Cancellation"), ["reason"])]


class MissingForm(FlaskForm):  # type: ignore[misc]
    last_seen_at = DateTimeLocalField(
        _l("Last seen"),
        format=MOMENT,
        validators=[InputRequired(_l("Give the date and time the child was last seen."))],
        description=MOMENT_HINT,
    )
    last_seen_where = StringField(
        _l("Where last seen"),
        filters=[strip_text],
        validators=[Optional(), text_limit(PLACE_MAX), PrintableText()],
        render_kw={"autocomplete": "off"},
    )
    circumstances = TextAreaField(
        _l("Circumstances"),
        filters=[_strip],
        validators=[Optional(), text_limit(TEXT_MAX), PrintableMultiline()],
        description=_l("Who the child was with, what they took, any sign of where they went."),
    )
    police_informed_at = DateTimeLocalField(
        _l("Police informed"),
        format=MOMENT,
        validators=[Optional()],
        description=_l("Leave empty if police have not been informed yet."),
    )
    police_reference = StringField(
        _l("Police report reference"),
        filters=[strip_text],
        validators=[Optional(), text_limit(REFERENCE_MAX), PrintableText()],
        render_kw={"autocomplete": "off"},
    )
    version = version_field()
    sections: ClassVar[list[Section]] = [
        (_l("When and where"), ["last_seen_at", "last_seen_where", "circumstances"]),
        (_l("Police"), ["police_informed_at", "police_reference"]),
    ]


class FoundForm(FlaskForm):  # type: ignore[misc]
    found_at = DateTimeLocalField(
        _l("Found"),
        format=MOMENT,
        validators=[InputRequired(_l("Give the date and time the child was found."))],
        description=MOMENT_HINT,
    )
    found_where = StringField(
        _l("Where found"),
        filters=[strip_text],
        validators=[Optional(), text_limit(PLACE_MAX), PrintableText()],
        render_kw={"autocomplete": "off"},
    )
    found_by = StringField(
        _l("Found by"),
        filters=[strip_text],
        validators=[Optional(), text_limit(PLACE_MAX), PrintableText()],
        description=_l("A person or an authority, such as the police patrol."),
        render_kw={"autocomplete": "off"},
    )
    version = version_field()
    sections: ClassVar[list[Section]] = [
        (_l("The child was found"), ["found_at", "found_where", "found_by"])
    ]


class MarkReadForm(FlaskForm):  # type: ignore[misc]
    """Marking notifications read: a POST with its CSRF token and the page to return to
    (`next`, checked as local)."""

    next = HiddenField(id="read-next")


EMAIL_PREFIX = "email_"


def settings_form(
    kinds: Iterable[tuple[str, Any, bool]], data: dict[str, object] | None = None
) -> Any:
    """The notification settings form: an address and one checkbox per kind."""

    class NotificationSettingsForm(FlaskForm):  # type: ignore[misc]
        email_address = StringField(
            _l("E-mail address for notifications"),
            filters=[_strip],
            validators=[Optional(), text_limit(254)],
            description=_l(
                "E-mails never say anything about a child: only how many new items wait "
                "for you in Casework, with a link. Leave empty for no e-mail at all."
            ),
            render_kw={"autocomplete": "email", "type": "email"},
        )

    names = []
    for code, label, default in kinds:
        name = EMAIL_PREFIX + code
        setattr(NotificationSettingsForm, name, BooleanField(label, default=default))
        names.append(name)
    NotificationSettingsForm.sections = [
        (_l("Address"), ["email_address"]),
        (_l("Send an e-mail when …"), names),
    ]
    return NotificationSettingsForm(data=data) if data is not None else NotificationSettingsForm()


def email_choices(form: Any, posted: Iterable[str] = ()) -> dict[str, bool]:
    """Per kind, whether to e-mail it. A kind `posted` that the form does not offer is
    passed on too, so that the door refuses the whole post rather than ignore it."""
    chosen = {
        name.removeprefix(EMAIL_PREFIX): bool(field.data)
        for name, field in form._fields.items()
        if name.startswith(EMAIL_PREFIX) and name != "email_address"
    }
    for name in posted:
        if name.startswith(EMAIL_PREFIX) and name not in form._fields:
            chosen[name.removeprefix(EMAIL_PREFIX)] = True
    return chosen
