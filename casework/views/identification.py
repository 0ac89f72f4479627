"""Identification pages: the intake that opens a case, identifications, investigation
details and formal identification decisions."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from casework import casefile
from casework.access.permissions import FieldGroup, Permission
from casework.access.policy import AccessLevel, current_policy
from casework.codes import ONLINE_AS
from casework.forms.identification import (
    DecisionCorrectionForm,
    DecisionForm,
    IdentificationForm,
    IntakeForm,
    InvestigationForm,
)
from casework.views.common import door, refuse
from casework.views.editing import Page, edit_page, found, new_child

bp = Blueprint("identification", __name__)

IDENTIFICATION = FieldGroup.IDENTIFICATION


@bp.app_context_processor
def _navigation() -> dict[str, object]:
    """Whether the menu offers "Record an identification" (police, by the policy)."""
    return {"may_identify": may_identify()}


def may_identify() -> bool:
    if not current_user.is_authenticated:
        return False
    policy = current_policy()
    return policy.allows(current_user.role, Permission.CASE_CREATE) and (
        policy.level(current_user.role, IDENTIFICATION) == AccessLevel.WRITE
    )


def identification_change(form: Any) -> casefile.IdentificationChange:
    return casefile.IdentificationChange(
        identified_on=form.identified_on.data,
        jurisdiction=form.jurisdiction.data,
        actor_type=form.actor_type.data,
        context=form.context.data,
        indicators=tuple(form.indicators.data or ()),
        exploitation_types=tuple(form.exploitation_types.data or ()),
        ict_facilitated=bool(form.ict_facilitated.data),
        recruitment_method=form.recruitment_method.data,
        narrative=form.narrative.data,
    )


def in_current_codes(found: casefile.IdentificationReadout) -> casefile.IdentificationReadout:
    """An identification for its correction form, a retired form of exploitation given
    as today's codes (online sexual exploitation: sexual exploitation, ICT-facilitated),
    since the form no longer offers the old code."""
    kinds = found.exploitation_types
    if not any(code in ONLINE_AS for code in kinds):
        return found
    current = tuple(dict.fromkeys(ONLINE_AS.get(code, code) for code in kinds))
    return replace(found, exploitation_types=current, ict_facilitated=True)


def investigation_change(form: Any) -> casefile.InvestigationChange:
    return casefile.InvestigationChange(
        reference=form.reference.data,
        suspects=form.suspects.data,
        evidence_notes=form.evidence_notes.data,
    )


def _lead_choices(colleagues: list[casefile.Colleague]) -> list[tuple[str, str]]:
    label = "{name} — {organisation} ({region})"
    return [("", _("Choose …"))] + [
        (str(c.id), label.format(name=c.display_name, organisation=c.organisation, region=c.region))
        for c in colleagues
    ]


@bp.route("/cases/identify", methods=["GET", "POST"])
def intake() -> Response | str:
    """Open a case by recording an identification, handed at once to a social worker."""
    colleagues = casefile.handover_candidates(*door())
    form = IntakeForm()
    form.lead.choices = _lead_choices(colleagues)
    if form.validate_on_submit():
        if form.add_to.data:
            return _add_to_existing(form, uuid.UUID(form.add_to.data))
        if not form.not_a_duplicate.data:
            duplicates = casefile.possible_duplicates(*door(), new_child(form))
            if duplicates is not None and duplicates.hits:
                return render_template("identification/intake.html", form=form, result=duplicates)
        try:
            case_id = casefile.open_case_from_identification(
                *door(),
                new_child(form),
                identification_change(form),
                investigation_change(form),
                uuid.UUID(form.lead.data),
                prefix=current_app.config["CASEWORK"].case_reference_prefix,
            )
        except casefile.InvalidInput as error:
            refuse(form, error)
        else:
            flash(_("The case is open and handed to social services."), "info")
            return redirect(url_for("cases.show", case_id=case_id))
    return render_template("identification/intake.html", form=form)


def _add_to_existing(form: IntakeForm, case_id: uuid.UUID) -> Response | str:
    """The child has a case already: the identification goes there instead."""
    try:
        casefile.add_identification_to_case(
            *door(), case_id, identification_change(form), investigation_change(form)
        )
    except casefile.InvalidInput as error:
        refuse(form, error)
        return render_template("identification/intake.html", form=form)
    flash(_("The identification is added to the child's existing case."), "info")
    return redirect(url_for("cases.show", case_id=case_id))


@bp.route("/cases/<uuid:case_id>/identifications/new", methods=["GET", "POST"])
def record_new(case_id: uuid.UUID) -> Response | str:
    page = Page(
        title=_("Record an identification"),
        submit=_("Record the identification"),
        done=_("The identification is recorded."),
        anchor="identification-title",
    )
    return edit_page(
        case_id,
        IDENTIFICATION,
        IdentificationForm,
        lambda case: None,
        lambda form: casefile.record_identification(*door(), case_id, identification_change(form)),
        page,
    )


@bp.route("/cases/<uuid:case_id>/identifications/<uuid:item_id>", methods=["GET", "POST"])
def edit(case_id: uuid.UUID, item_id: uuid.UUID) -> Response | str:
    page = Page(
        title=_("Correct an identification"),
        submit=_("Save"),
        done=_("The identification is saved."),
        anchor="identification-title",
    )
    return edit_page(
        case_id,
        IDENTIFICATION,
        IdentificationForm,
        lambda case: in_current_codes(found(case.details.identifications, item_id)),
        lambda form: casefile.record_identification(
            *door(),
            case_id,
            identification_change(form),
            identification_id=item_id,
            expected_version=form.version.data,
        ),
        page,
    )


@bp.route(
    "/cases/<uuid:case_id>/identifications/<uuid:item_id>/investigation",
    methods=["GET", "POST"],
)
def investigation(case_id: uuid.UUID, item_id: uuid.UUID) -> Response | str:
    page = Page(
        title=_("Investigation details"),
        submit=_("Save"),
        done=_("The investigation details are saved."),
        anchor="identification-title",
        intro=_("Only police and prosecutors on the team see these details."),
    )
    return edit_page(
        case_id,
        FieldGroup.INVESTIGATION,
        InvestigationForm,
        lambda case: found(case.details.identifications, item_id).investigation,
        lambda form: casefile.save_investigation(
            *door(),
            case_id,
            item_id,
            investigation_change(form),
            form.version.data,
        ),
        page,
    )


def decision_change(form: Any) -> casefile.DecisionChange:
    return casefile.DecisionChange(
        stage=form.stage.data,
        decision_maker=form.decision_maker.data,
        decided_on=form.decided_on.data,
        outcome=form.outcome.data,
        assistance_unconditional=bool(form.assistance_unconditional.data),
    )


@bp.route("/cases/<uuid:case_id>/decisions/new", methods=["GET", "POST"])
def decision_new(case_id: uuid.UUID) -> Response | str:
    page = Page(
        title=_("Record a formal identification decision"),
        submit=_("Record the decision"),
        done=_("The decision is recorded."),
        anchor="decisions-title",
    )
    return edit_page(
        case_id,
        IDENTIFICATION,
        DecisionForm,
        lambda case: None,
        lambda form: casefile.record_decision(*door(), case_id, decision_change(form)),
        page,
    )


@bp.route("/cases/<uuid:case_id>/decisions/<uuid:item_id>", methods=["GET", "POST"])
def decision_edit(case_id: uuid.UUID, item_id: uuid.UUID) -> Response | str:
    """A decision never changes: its correction is a new decision shown beside it."""
    page = Page(
        title=_("Correct a formal identification decision"),
        submit=_("Record the correction"),
        done=_("The correction is recorded beside the original decision."),
        anchor="decisions-title",
        intro=_(
            "The original decision stays on the record. The correction is a new, dated "
            "decision shown beside it."
        ),
    )
    return edit_page(
        case_id,
        IDENTIFICATION,
        DecisionCorrectionForm,
        lambda case: found(case.details.decisions, item_id),
        lambda form: casefile.correct_decision(
            *door(),
            case_id,
            item_id,
            decision_change(form),
            form.correction_reason.data or "",
            form.version.data,
        ),
        page,
    )
