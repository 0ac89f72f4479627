"""Forms for teams, referrals, the support plan and the child's views."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from casework.codes import CodeList
from casework.codes import choices as code_choices
from casework.forms.fields import CodeSelect
from casework.forms.validators import PrintableMultiline, PrintableText, strip_text
from casework.labels import BENEFIT, INFORMED_FORMAT, MEASURE_STATUS, TEAM_ROLE

TEXT_MAX = 4000
LINE_MAX = 200
CHOOSE = ("", _l("Choose …"))


def options(pairs: Iterable[tuple[str, Any]], blank: bool = False) -> list[SelectChoice]:
    """Select options from (value, label) pairs, with "Choose …" first if `blank`."""
    return [SelectChoice(v, label) for v, label in ([CHOOSE] if blank else []) + list(pairs)]


def choices(table: dict[str, Any], blank: bool = True) -> list[SelectChoice]:
    return options(table.items(), blank)


def strip_multiline(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def long_text(label: Any, required: Any = None, description: Any = None) -> TextAreaField:
    checks: list[Any] = [DataRequired(required)] if required else [Optional()]
    return TextAreaField(
        label,
        filters=[strip_multiline],
        validators=[
            *checks,
            Length(max=TEXT_MAX, message=_l("Use at most %(max)d characters.")),
            PrintableMultiline(),
        ],
        description=description,
    )


def short_text(label: Any, required: Any = None) -> StringField:
    checks: list[Any] = [DataRequired(required)] if required else [Optional()]
    return StringField(
        label,
        filters=[strip_text],
        validators=[
            *checks,
            Length(max=LINE_MAX, message=_l("Use at most %(max)d characters.")),
            PrintableText(),
        ],
        render_kw={"autocomplete": "off"},
    )


def select(label: Any, table: dict[str, Any], required: Any) -> SelectField:
    # Choices are checked by the casefile operation, which refuses beside the field.
    return SelectField(
        label, choices=choices(table), validators=[DataRequired(required)], validate_choice=False
    )


def code_select(label: Any, code_list: CodeList, required: Any) -> CodeSelect:
    """A required answer from a coded list of config/codes.toml, offered in the reader's
    language; the casefile operation checks it and refuses beside the field."""
    return CodeSelect(label, code_list, validators=[DataRequired(required)], validate_choice=False)


class TeamMemberForm(FlaskForm):  # type: ignore[misc]
    user = SelectField(
        _l("Person"),
        validators=[DataRequired(_l("Choose the person to add."))],
        validate_choice=False,
        description=_l("The person joins with their own organisation."),
    )
    actor_type = code_select(
        _l("Actor type"), CodeList.ACTOR_TYPE, _l("Choose what the person does here.")
    )
    # Member by default: a second lead is refused, so lead is the deliberate choice.
    role_in_team = SelectField(
        _l("Role in the team"),
        choices=choices(TEAM_ROLE, blank=False),
        validate_choice=False,
        default="member",
    )
    starts_on = DateField(_l("From"), validators=[InputRequired(_l("Give the first day."))])
    ends_on = DateField(
        _l("Until (optional)"),
        validators=[Optional()],
        description=_l("Access ends at the start of this day."),
    )


class EndMembershipForm(FlaskForm):  # type: ignore[misc]
    ends_on = DateField(
        _l("End on"), validators=[InputRequired(_l("Give the day the membership ends."))]
    )


class ReferralForm(FlaskForm):  # type: ignore[misc]
    to_organisation = SelectField(
        _l("Refer to"),
        validators=[DataRequired(_l("Choose the receiving organisation."))],
        validate_choice=False,
    )
    reason = long_text(
        _l("Reason for the referral"),
        _l("Say what the child needs from them."),
        _l("The receiving coordinator reads this before accepting. Write only what they need."),
    )
    consent = code_select(
        _l("Consent given by"), CodeList.CONSENT, _l("Record whose consent was given.")
    )


class AcceptReferralForm(FlaskForm):  # type: ignore[misc]
    members = SelectMultipleField(
        _l("Who joins the team"),
        validators=[DataRequired(_l("Choose at least one person to join the team."))],
        validate_choice=False,
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )


class DeclineReferralForm(FlaskForm):  # type: ignore[misc]
    reason = long_text(
        _l("Why the referral is declined"),
        _l("Say why the referral is declined; the sender sees it."),
    )


class MeasureForm(FlaskForm):  # type: ignore[misc]
    measure_type = code_select(
        _l("Measure"), CodeList.MEASURE_TYPE, _l("Choose the type of measure.")
    )
    provider = SelectField(
        _l("Provider"),
        validators=[DataRequired(_l("Choose a provider from the list."))],
        validate_choice=False,
    )
    status = SelectField(
        _l("Status"), choices=choices(MEASURE_STATUS, blank=False), validate_choice=False
    )
    starts_on = DateField(_l("Starts"), validators=[InputRequired(_l("Give the start date."))])
    ends_on = DateField(_l("Ends (optional)"), validators=[Optional()])
    review_on = DateField(
        _l("Next review (optional)"),
        validators=[Optional()],
        description=_l("An overdue review shows on the lead's and the coordinator's lists."),
    )
    details = long_text(_l("Details"))
    clinical_notes = long_text(
        _l("Clinical notes"), description=_l("Seen only by health professionals on the team.")
    )
    version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class ChildViewsForm(FlaskForm):  # type: ignore[misc]
    heard_on = DateField(_l("Date"), validators=[InputRequired(_l("Give the date."))])
    language = short_text(_l("Language used"), _l("Give the language the child was informed in."))
    informed_format = select(
        _l("How the child was informed"), INFORMED_FORMAT, _l("Choose how the child was informed.")
    )
    views = long_text(
        _l("The child's views, in the child's words"),
        _l("Write down what the child said."),
    )
    perceives_benefit = select(
        _l("Does the child see a benefit from the exploiter?"),
        BENEFIT,
        _l("Choose one of the answers."),
    )
    engagement = long_text(_l("Engagement approach"))
    trusted_adult = short_text(_l("Trusted adult"))


def views_form(measures: list[tuple[str, str]], **kwargs: Any) -> ChildViewsForm:
    """The views form with an acceptance and reasons field per measure (hex id, label)."""

    class Form(ChildViewsForm):
        pass

    for key, label in measures:
        setattr(
            Form,
            f"acceptance_{key}",
            SelectField(
                _l("%(measure)s: the child", measure=label),
                choices=options([("", _l("Not discussed")), *code_choices(CodeList.ACCEPTANCE)]),
                validate_choice=False,
            ),
        )
        setattr(Form, f"reasons_{key}", long_text(_l("%(measure)s: reasons", measure=label)))
    return Form(**kwargs)
