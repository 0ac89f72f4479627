from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, Form, StringField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from casework.casefile.casewide.search import MIN_TERM_LENGTH, searchable
from casework.forms.validators import PrintableText, strip_text

QUERY_MAX = 200


class SearchableName:
    """At least one word of two letters: a one-letter search would list almost every case."""

    def __call__(self, form: Form, field: Field) -> None:
        if isinstance(field.data, str) and field.data and not searchable(field.data):
            raise ValidationError(
                _l(
                    "Enter at least %(count)d letters of a name, for example a family name.",
                    count=MIN_TERM_LENGTH,
                )
            )


class SearchForm(FlaskForm):  # type: ignore[misc]
    name = StringField(
        _l("Name"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Enter a name to search for.")),
            Length(max=QUERY_MAX, message=_l("Use at most %(max)d characters.")),
            PrintableText(),
            SearchableName(),
        ],
        description=_l(
            "Given name, family name or both. Accents and capital letters do not matter: "
            "“sarunas” finds “Šarūnas”."
        ),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    date_of_birth = DateField(
        _l("Date of birth (optional)"),
        validators=[Optional()],
        description=_l("Narrows the search to children with this claimed date of birth."),
    )
