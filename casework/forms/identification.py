"""Forms for identifications, investigation details, decisions and the intake that opens
a case by an identification."""

from __future__ import annotations

from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import UUID, DataRequired, InputRequired, Optional
from wtforms.widgets import HiddenInput

from casework.casefile.identification.records import (
    CORRECTION_MAX,
    DECISION_MAKER_MAX,
    NARRATIVE_MAX,
    NOTES_MAX,
    REFERENCE_MAX,
    SUSPECTS_MAX,
)
from casework.codes import CodeList
from casework.forms.cases import OpenCaseForm
from casework.forms.fields import (
    CodeCheckboxes,
    CodeSelect,
    Section,
    blank_to_none,
    text_limit,
    version_field,
)
from casework.forms.validators import (
    DateNotBefore,
    DateNotInFuture,
    PrintableMultiline,
    PrintableText,
    strip_text,
)

# An identification is recorded soon after it happens; older dates are typing errors.
OLDEST_IDENTIFICATION_YEARS = 20


def _multiline(label: Any, maximum: int, description: Any = None) -> TextAreaField:
    return TextAreaField(
        label,
        filters=[lambda v: v.strip() if isinstance(v, str) else v, blank_to_none],
        validators=[Optional(), text_limit(maximum), PrintableMultiline()],
        description=description,
    )


class IdentificationFields:
    """The identification event's fields, shared by its own form and the intake form."""

    identified_on = DateField(
        _l("Date of identification"),
        validators=[
            InputRequired(_l("Enter the date the child was identified.")),
            DateNotInFuture(),
            DateNotBefore(OLDEST_IDENTIFICATION_YEARS),
        ],
    )
    jurisdiction = CodeSelect(
        _l("Country where the child was identified"),
        CodeList.COUNTRY,
        validators=[DataRequired(_l("Choose the country."))],
    )
    actor_type = CodeSelect(
        _l("Who identified the child"),
        CodeList.IDENTIFYING_ACTOR,
        validators=[DataRequired(_l("Choose who identified the child."))],
    )
    context = CodeSelect(
        _l("Context of the identification"),
        CodeList.IDENTIFICATION_CONTEXT,
        validators=[DataRequired(_l("Choose the context."))],
        description=_l(
            "“Arrested or suspected of an offence” raises a non-punishment flag: the child "
            "must not be punished for offences they were compelled to commit."
        ),
    )
    indicators = CodeCheckboxes(_l("Indicators observed"), CodeList.INDICATOR)
    exploitation_types = CodeCheckboxes(_l("Forms of exploitation"), CodeList.EXPLOITATION_TYPE)
    ict_facilitated = BooleanField(
        _l("Facilitated by the internet or other information technology")
    )
    recruitment_method = CodeSelect(
        _l("How the child was recruited"),
        CodeList.RECRUITMENT_METHOD,
        validators=[DataRequired(_l("Choose how the child was recruited, or “Not known”."))],
    )
    narrative = _multiline(
        _l("What happened"),
        NARRATIVE_MAX,
        _l("Facts only, in a few sentences. Read by the team's social workers and police."),
    )


class InvestigationFields:
    reference = StringField(
        _l("Investigation reference"),
        filters=[strip_text, blank_to_none],
        validators=[Optional(), text_limit(REFERENCE_MAX), PrintableText()],
        render_kw={"autocomplete": "off"},
    )
    suspects = _multiline(_l("Suspects"), SUSPECTS_MAX)
    evidence_notes = _multiline(_l("Evidence notes"), NOTES_MAX)


IDENTIFICATION_SECTIONS: list[Section] = [
    (
        _l("The identification"),
        ["identified_on", "jurisdiction", "actor_type", "context", "recruitment_method"],
    ),
    (_l("What was seen"), ["indicators", "exploitation_types", "ict_facilitated", "narrative"]),
]
INVESTIGATION_SECTION: Section = (
    _l("Investigation (police and prosecutors only)"),
    ["reference", "suspects", "evidence_notes"],
)


class IdentificationForm(IdentificationFields, FlaskForm):  # type: ignore[misc]
    version = version_field()
    sections: ClassVar[list[Section]] = IDENTIFICATION_SECTIONS


class InvestigationForm(InvestigationFields, FlaskForm):  # type: ignore[misc]
    version = version_field()
    sections: ClassVar[list[Section]] = [INVESTIGATION_SECTION]


class IntakeForm(IdentificationFields, InvestigationFields, OpenCaseForm):
    """A new case opened by an identification and handed to a social worker."""

    lead = SelectField(
        _l("Social worker who takes on the case"),
        validators=[DataRequired(_l("Choose the social worker who takes on the case."))],
        description=_l(
            "They lead the case from now on. You stay on the team and can add to the "
            "identification."
        ),
        invalid_choice_message=_l("Choose a social worker from the list."),
    )
    # Posted by "Add to this case" beside a possible existing case of the child.
    add_to = StringField(
        validators=[Optional(), UUID(message=_l("Choose one of the cases shown."))],
    )
    sections: ClassVar[list[Section]] = [
        (_l("The child"), ["given_name", "family_name", "date_of_birth", "sex"]),
        (_l("Identity documents"), ["document_kind", "document_number", "document_country"]),
        *IDENTIFICATION_SECTIONS,
        INVESTIGATION_SECTION,
        (_l("Hand the case to social services"), ["lead"]),
    ]


class DecisionForm(FlaskForm):  # type: ignore[misc]
    stage = CodeSelect(
        _l("Stage"), CodeList.DECISION_STAGE, validators=[DataRequired(_l("Choose the stage."))]
    )
    decided_on = DateField(
        _l("Date of the decision"),
        validators=[
            InputRequired(_l("Enter the date of the decision.")),
            DateNotInFuture(),
            DateNotBefore(OLDEST_IDENTIFICATION_YEARS),
        ],
    )
    decision_maker = StringField(
        _l("Decided by"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Name the authority or person who decided.")),
            text_limit(DECISION_MAKER_MAX),
            PrintableText(),
        ],
    )
    outcome = CodeSelect(
        _l("Outcome"),
        CodeList.DECISION_OUTCOME,
        validators=[DataRequired(_l("Choose the outcome."))],
    )
    assistance_unconditional = BooleanField(
        _l(
            "Assistance and support do not depend on the child's cooperation with any "
            "investigation or proceedings"
        ),
        validators=[DataRequired(_l("Confirm that assistance does not depend on cooperation."))],
    )
    version = version_field()
    sections: ClassVar[list[Section]] = [
        (
            _l("The decision"),
            ["stage", "decided_on", "decision_maker", "outcome", "assistance_unconditional"],
        )
    ]


class DecisionCorrectionForm(DecisionForm):
    """A correction of a formal decision: a new, dated decision beside the original."""

    correction_reason = TextAreaField(
        _l("What is corrected, and why"),
        filters=[strip_text],
        validators=[
            DataRequired(_l("Say what is corrected and why.")),
            text_limit(CORRECTION_MAX),
            PrintableMultiline(),
        ],
        description=_l("The original decision stays on the record beside the correction."),
    )
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    sections: ClassVar[list[Section]] = [
        (_l("The correction"), ["correction_reason"]),
        *DecisionForm.sections,
    ]
