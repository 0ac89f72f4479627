"""Non-punishment considerations, assessments and prosecution decisions."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from casework import casefile
from casework.access.permissions import FieldGroup
from casework.forms.nonpunishment import ConsiderationForm, CorrectionForm, DecisionForm
from casework.views.common import door, refuse
from casework.views.editing import form_from

bp = Blueprint("nonpunishment", __name__)

STALE = _l("Someone else changed this entry meanwhile. Nothing was saved; reload it.")


def _input(form: ConsiderationForm) -> casefile.ConsiderationInput:
    return casefile.ConsiderationInput(
        offence=form.offence.data,
        stage=form.stage.data,
        link=form.link.data,
        rationale=form.rationale.data,
        assessed_on=form.assessed_on.data,
        assessor=form.assessor.data or "",
    )


@bp.route("/cases/<uuid:case_id>/non-punishment/new", methods=["GET", "POST"])
def new_consideration(case_id: uuid.UUID) -> Response | str:
    casefile.ensure_may_write(*door(), case_id, FieldGroup.NON_PUNISHMENT)
    case = casefile.read_case(*door(), case_id)
    form = ConsiderationForm()
    if form.validate_on_submit():
        try:
            casefile.add_consideration(*door(), case_id, _input(form))
        except casefile.InvalidInput as error:
            refuse(form, error)
        else:
            flash(_("The non-punishment consideration is recorded."), "info")
            return redirect(url_for("cases.show", case_id=case_id))
    return render_template("nonpunishment/consideration.html", form=form, case=case, entry=None)


@bp.route("/cases/<uuid:case_id>/non-punishment/<uuid:entry_id>", methods=["GET", "POST"])
def edit_consideration(case_id: uuid.UUID, entry_id: uuid.UUID) -> Response | str:
    entry = casefile.consideration_for_edit(*door(), case_id, entry_id)
    if entry.decided:
        return redirect(url_for("nonpunishment.correct", case_id=case_id, entry_id=entry_id))
    case = casefile.read_case(*door(), case_id)
    form = form_from(ConsiderationForm, entry)
    if form.validate_on_submit():
        try:
            casefile.update_consideration(
                *door(), case_id, entry_id, _input(form), form.version.data
            )
        except casefile.InvalidInput as error:
            refuse(form, error)
        except casefile.StaleEdit:
            form.form_errors.append(STALE)
        else:
            flash(_("The non-punishment consideration is saved."), "info")
            return redirect(url_for("cases.show", case_id=case_id))
    return render_template("nonpunishment/consideration.html", form=form, case=case, entry=entry)


@bp.route(
    "/cases/<uuid:case_id>/non-punishment/<uuid:entry_id>/correction", methods=["GET", "POST"]
)
def correct(case_id: uuid.UUID, entry_id: uuid.UUID) -> Response | str:
    """A decided entry never changes: its correction is a new entry beside it."""
    entry = casefile.consideration_for_edit(*door(), case_id, entry_id)
    case = casefile.read_case(*door(), case_id)
    form = form_from(CorrectionForm, entry)
    if form.validate_on_submit():
        correction = casefile.CorrectionInput(_input(form), form.correction_reason.data or "")
        try:
            casefile.correct_consideration(
                *door(), case_id, entry_id, correction, form.version.data
            )
        except casefile.InvalidInput as error:
            refuse(form, error)
        except casefile.StaleEdit:
            form.form_errors.append(STALE)
        else:
            flash(_("The correction is recorded beside the original entry."), "info")
            return redirect(url_for("cases.show", case_id=case_id, _anchor="np-title"))
    return render_template("nonpunishment/correction.html", form=form, case=case, entry=entry)


@bp.route("/cases/<uuid:case_id>/non-punishment/<uuid:entry_id>/decision", methods=["GET", "POST"])
def decide(case_id: uuid.UUID, entry_id: uuid.UUID) -> Response | str:
    casefile.ensure_may_decide(*door(), case_id)
    entry = casefile.consideration_for_edit(*door(), case_id, entry_id)
    if entry.decided:
        flash(_("This entry is decided. A later decision goes on a correction."), "info")
        return redirect(url_for("nonpunishment.correct", case_id=case_id, entry_id=entry_id))
    case = casefile.read_case(*door(), case_id)
    form = form_from(DecisionForm, entry)
    if form.validate_on_submit():
        decision = casefile.DecisionInput(
            decided_on=form.decided_on.data,
            decision_maker=form.decision_maker.data,
            outcome=form.outcome.data,
            departure_reasons=form.departure_reasons.data or "",
            override_reason=form.override_reason.data or "",
            clear_record=form.clear_record.data or "",
        )
        try:
            casefile.record_prosecution_decision(
                *door(), case_id, entry_id, decision, form.version.data
            )
        except casefile.InvalidInput as error:
            refuse(form, error)
        except casefile.StaleEdit:
            form.form_errors.append(STALE)
        else:
            flash(_("The decision is recorded."), "info")
            return redirect(url_for("cases.show", case_id=case_id))
    return render_template("nonpunishment/decision.html", form=form, case=case, entry=entry)
