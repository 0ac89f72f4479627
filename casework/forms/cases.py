from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from casework.casefile.casewide.breakglass import REASON_MAX, REASON_MIN
from casework.casefile.casewide.opening import DOCUMENT_NUMBER_MAX
from casework.casefile.record.aliases import ALIASES_MAX
from casework.codes import CodeList
from casework.forms.fields import (
    CodeMultiSelect,
    CodeSelect,
    EachLine,
    LinesField,
    NationalityMultiSelect,
)
from casework.forms.search import SearchableDocument
from casework.forms.validators import (
    DateNotBefore,
    DateNotInFuture,
    PrintableMultiline,
    PrintableText,
    strip_text,
)

NAME_MAX = 100
REFERENCE_PATTERN = r"(?i)^[A-Z]{2,8}-\d{4}-[0-9A-Z]{4,8}$"
# A claimed date of birth can be wrong by years; the range only stops typing errors.
OLDEST_CLAIMED_AGE_YEARS = 30


class ChildForm(FlaskForm):  # type: ignore[misc]
    """Who the child is: the names, the claimed date of birth and sex."""

    given_name = StringField(
        _l("Given name"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Enter the child's given name, or the name the child uses.")),
            Length(max=NAME_MAX, message=_l("Use at most %(max)d characters.")),
            PrintableText(),
        ],
        render_kw={"autocomplete": "off"},
    )
    family_name = StringField(
        _l("Family name"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Enter the child's family name, or “unknown”.")),
            Length(max=NAME_MAX, message=_l("Use at most %(max)d characters.")),
            PrintableText(),
        ],
        render_kw={"autocomplete": "off"},
    )
    date_of_birth = DateField(
        _l("Date of birth (as claimed)"),
        validators=[Optional(), DateNotInFuture(), DateNotBefore(OLDEST_CLAIMED_AGE_YEARS)],
        description=_l("Leave empty if unknown."),
    )
    sex = CodeSelect(
        _l("Sex"),
        CodeList.SEX,
        validators=[DataRequired(_l("Choose one; “Not known” is a valid answer."))],
    )
    # Shown only when the duplicate check found possible existing cases of this child.
    not_a_duplicate = BooleanField(
        _l("None of these is the same child: open a new case"),
    )


class NewDocumentFields:
    """An identity document seen when a case is opened (optional): the duplicate check
    also looks for its number, and it is kept among the child's documents."""

    document_kind = CodeSelect(_l("Kind of document"), CodeList.DOCUMENT_TYPE)
    document_number = StringField(
        _l("Document number"),
        filters=[strip_text],
        validators=[
            Optional(),
            Length(max=DOCUMENT_NUMBER_MAX, message=_l("Use at most %(max)d characters.")),
            PrintableText(),
            SearchableDocument(),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    document_country = CodeSelect(_l("Issued by"), CodeList.COUNTRY)

    def validate_document_kind(self, field: Any) -> None:
        form: Any = self
        if not field.data and (form.document_number.data or form.document_country.data):
            raise ValidationError(_l("Choose the kind of document."))


class OpenCaseForm(NewDocumentFields, ChildForm):
    """A new case: the child and, if one was seen, an identity document."""


class IdentityForm(ChildForm):
    """Correct the child's identity; `version` detects edits made in between."""

    aliases = LinesField(
        _l("Other names and aliases"),
        validators=[EachLine(ALIASES_MAX, NAME_MAX)],
        description=_l("One per line: names the child uses or was given, true or false."),
    )
    nationalities = NationalityMultiSelect(_l("Nationalities"))
    languages = CodeMultiSelect(_l("Languages the child speaks"), CodeList.LANGUAGE)
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class BreakGlassForm(FlaskForm):  # type: ignore[misc]
    reference = StringField(
        _l("Case reference"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Enter the case reference, for example CW-2026-7KX4QM.")),
            Length(max=32, message=_l("A case reference is at most %(max)d characters.")),
            Regexp(REFERENCE_PATTERN, message=_l("This does not look like a case reference.")),
        ],
        render_kw={"autocomplete": "off", "spellcheck": "false"},
    )
    reason = TextAreaField(
        _l("Why do you need this case now?"),
        filters=[lambda v: v.strip() if isinstance(v, str) else v],
        validators=[
            DataRequired(_l("State the emergency that requires access.")),
            Length(
                min=REASON_MIN,
                max=REASON_MAX,
                message=_l("Write a sentence of %(min)d to %(max)d characters."),
            ),
            PrintableMultiline(),
        ],
        description=_l(
            "Your access is read-only, lasts a limited time, and is shown to the case lead "
            "and to auditors together with this reason."
        ),
    )
