from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, Field, Form, StringField
from wtforms.validators import Length, Optional, StopValidation, ValidationError

from casework.casefile.casewide.search import MIN_TERM_LENGTH, searchable, searchable_document
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


class NameUnlessDocument:
    """A name is needed unless a document number is searched for."""

    def __call__(self, form: Form, field: Field) -> None:
        if field.data:
            return
        if form.document_number.data:
            field.errors[:] = []
            raise StopValidation()
        raise StopValidation(_l("Enter a name to search for."))


class SearchableDocument:
    def __call__(self, form: Form, field: Field) -> None:
        if isinstance(field.data, str) and field.data and not searchable_document(field.data):
            raise ValidationError(
                _l(
                    "Enter at least %(count)d letters or digits of the number.",
                    count=MIN_TERM_LENGTH,
                )
            )


class SearchForm(FlaskForm):  # type: ignore[misc]
    name = StringField(
        _l("Name"),
        filters=[strip_text],
        validators=[
            NameUnlessDocument(),
            Length(max=QUERY_MAX, message=_l("Use at most %(max)d characters.")),
            PrintableText(),
            SearchableName(),
        ],
        description=_l(
            "Given name, family name, other names or aliases. Accents and capital letters "
            "do not matter: “sarunas” finds “Šarūnas”, “oleksandr” finds “Олександр”."
        ),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    date_of_birth = DateField(
        _l("Date of birth (optional)"),
        validators=[Optional()],
        description=_l("Narrows the search to children with this claimed date of birth."),
    )
    document_number = StringField(
        _l("Identity document number (optional)"),
        filters=[strip_text],
        validators=[
            Optional(),
            Length(max=64, message=_l("Use at most %(max)d characters.")),
            PrintableText(),
            SearchableDocument(),
        ],
        description=_l(
            "Spaces and dashes do not matter. Searches without a name if you leave the name empty."
        ),
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
