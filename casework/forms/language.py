"""The language switcher on every page, and a person's language and time zone."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired

from casework.locales import LANGUAGES, time_zones


def _language_choices() -> list[SelectChoice]:
    return [SelectChoice(code, name) for code, name in LANGUAGES.items()]


class LanguageForm(FlaskForm):  # type: ignore[misc]
    """One select and a button; `next` is the page to return to (checked as local)."""

    language = SelectField(
        _l("Language"),
        choices=_language_choices(),
        validators=[InputRequired(), AnyOf(list(LANGUAGES))],
    )
    next = HiddenField()


class PreferencesForm(FlaskForm):  # type: ignore[misc]
    language = SelectField(
        _l("Language"),
        description=_l("“As the browser asks” follows your browser's language settings."),
    )
    time_zone = SelectField(
        _l("Time zone"),
        description=_l("Dates and times are shown in this zone; the audit log also shows UTC."),
    )

    def offer(self, browser_language: str, organisation_zone: str) -> None:
        self.language.choices = [
            SelectChoice(
                "", _l("As the browser asks (now %(name)s)", name=LANGUAGES[browser_language])
            ),
            *_language_choices(),
        ]
        self.time_zone.choices = [
            SelectChoice("", _l("My organisation's (%(zone)s)", zone=organisation_zone)),
            *(SelectChoice(z, z.replace("_", " ")) for z in time_zones()),
        ]
