"""The support plan and the child's views."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework import casefile, db
from casework.access.permissions import FieldGroup
from casework.casefile.support.readouts import MeasureReadout
from casework.codes import CodeList, label
from casework.forms.support import MeasureForm, options, views_form
from casework.views.common import door, refuse

bp = Blueprint("support", __name__)


def _measure_form(health: bool, obj: MeasureReadout | None = None) -> MeasureForm:
    # Filled from the measure on GET only: a post without its version (or any field)
    # never borrows the stored one.
    if request.method != "GET":
        obj = None
    form = MeasureForm(obj=obj)
    if obj is not None:
        # The readout's `provider` is the organisation's name; the field holds its id.
        form.provider.data = str(obj.provider_id)
    form.provider.choices = options(
        ((str(i), name) for i, name in casefile.organisations(db.session())), blank=True
    )
    if not health:
        del form.clinical_notes
    return form


def _measure_input(form: MeasureForm) -> casefile.MeasureInput:
    try:
        provider: uuid.UUID | None = uuid.UUID(form.provider.data)
    except (TypeError, ValueError):
        provider = None
    # Removed from the form (set to None) for anyone not a health member of the team.
    notes_field = getattr(form, "clinical_notes", None)
    notes = notes_field.data if notes_field is not None else None
    return casefile.MeasureInput(
        measure_type=form.measure_type.data,
        provider_id=provider,
        status=form.status.data,
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        review_on=form.review_on.data,
        details=form.details.data or "",
        clinical_notes=notes,
    )


@bp.route("/cases/<uuid:case_id>/measures/new", methods=["GET", "POST"])
def new_measure(case_id: uuid.UUID) -> Response | str:
    casefile.ensure_may_write(*door(), case_id, FieldGroup.SUPPORT_PLAN)
    case = casefile.read_case(*door(), case_id)
    form = _measure_form(bool(case.support and case.support.is_health_member))
    if form.validate_on_submit():
        try:
            casefile.add_measure(*door(), case_id, _measure_input(form))
        except casefile.InvalidInput as error:
            refuse(form, error)
        else:
            flash(_("The measure is in the support plan."), "info")
            return redirect(url_for("cases.show", case_id=case_id))
    return render_template("support/measure.html", form=form, case=case, measure=None)


@bp.route("/cases/<uuid:case_id>/measures/<uuid:measure_id>", methods=["GET", "POST"])
def edit_measure(case_id: uuid.UUID, measure_id: uuid.UUID) -> Response | str:
    measure = casefile.measure_for_edit(*door(), case_id, measure_id)
    case = casefile.read_case(*door(), case_id)
    form = _measure_form(measure.clinical_notes is not None, measure)
    if form.validate_on_submit():
        try:
            casefile.update_measure(
                *door(),
                case_id,
                measure_id,
                _measure_input(form),
                form.version.data,
            )
        except casefile.InvalidInput as error:
            refuse(form, error)
        except casefile.StaleEdit:
            form.form_errors.append(
                _("Someone else changed this measure meanwhile. Nothing was saved; reload it.")
            )
        else:
            flash(_("The measure is saved."), "info")
            return redirect(url_for("cases.show", case_id=case_id))
    return render_template("support/measure.html", form=form, case=case, measure=measure)


@bp.route("/cases/<uuid:case_id>/views/new", methods=["GET", "POST"])
def new_views(case_id: uuid.UUID) -> Response | str:
    casefile.ensure_may_write(*door(), case_id, FieldGroup.CHILD_VIEWS)
    case = casefile.read_case(*door(), case_id)
    measures = [
        (m.id.hex, label(CodeList.MEASURE_TYPE, m.measure_type))
        for m in (case.support.measures if case.support and case.support.measures else ())
    ]
    form = views_form(measures)
    if form.validate_on_submit():
        responses = tuple(
            casefile.Response(
                measure_id=uuid.UUID(key),
                acceptance=form[f"acceptance_{key}"].data or "",
                reasons=form[f"reasons_{key}"].data or "",
            )
            for key, _label in measures
        )
        views = casefile.ViewsInput(
            heard_on=form.heard_on.data,
            language=form.language.data,
            informed_format=form.informed_format.data,
            views=form.views.data,
            perceives_benefit=form.perceives_benefit.data,
            engagement=form.engagement.data or "",
            trusted_adult=form.trusted_adult.data or "",
            responses=responses,
        )
        try:
            casefile.record_views(*door(), case_id, views)
        except casefile.InvalidInput as error:
            refuse(form, error)
        else:
            flash(_("The child's views are recorded."), "info")
            return redirect(url_for("cases.show", case_id=case_id))
    keys = [key for key, _label in measures]
    return render_template("support/views.html", form=form, case=case, keys=keys)
