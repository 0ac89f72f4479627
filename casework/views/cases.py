from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework import casefile, db
from casework.access.permissions import FieldGroup
from casework.forms.cases import BreakGlassForm, IdentityForm, OpenCaseForm
from casework.views.common import caller, fresh_auth_required

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.get("/")
def my_cases() -> str:
    try:
        cases = casefile.my_cases(db.session(), caller())
    except casefile.NotPermitted:
        abort(403)
    marks = casefile.my_case_marks(db.session(), caller(), [c.id for c in cases])
    new_count = sum("new" in m for m in marks.values())
    return render_template("cases/my_cases.html", cases=cases, marks=marks, new_count=new_count)


@bp.get("/overview")
def overview() -> str:
    try:
        rows = casefile.region_overview(db.session(), caller())
    except casefile.NotPermitted:
        abort(403)
    return render_template("cases/overview.html", rows=rows)


@bp.route("/new", methods=["GET", "POST"])
def open_case() -> Response | str:
    try:
        casefile.ensure_may_open_case(db.session(), caller())
    except casefile.NotPermitted:
        abort(403)
    form = OpenCaseForm()
    if form.validate_on_submit():
        child = casefile.NewChild(
            given_name=form.given_name.data,
            family_name=form.family_name.data,
            date_of_birth=form.date_of_birth.data,
            sex=form.sex.data,
        )
        prefix = current_app.config["CASEWORK"].case_reference_prefix
        case_id = casefile.open_case(db.session(), caller(), child, prefix=prefix)
        flash(_("The case is open. You lead its support team."), "info")
        return redirect(url_for("cases.show", case_id=case_id))
    return render_template("cases/new.html", form=form)


@bp.get("/<uuid:case_id>")
def show(case_id: uuid.UUID) -> str:
    try:
        case = casefile.read_case(db.session(), caller(), case_id)
    except casefile.CaseNotFound:
        abort(404)
    return render_template("cases/show.html", case=case)


@bp.route("/<uuid:case_id>/identity", methods=["GET", "POST"])
def edit_identity(case_id: uuid.UUID) -> Response | str:
    try:
        casefile.ensure_may_write(db.session(), caller(), case_id, FieldGroup.IDENTITY)
        case = casefile.read_case(db.session(), caller(), case_id)
    except casefile.CaseNotFound:
        abort(404)
    except casefile.NotPermitted:
        abort(403)
    if case.identity is None:  # the policy lets this role write identity it cannot read
        abort(403)
    form = IdentityForm(obj=case.identity)
    if form.validate_on_submit():
        change = casefile.IdentityChange(
            given_name=form.given_name.data,
            family_name=form.family_name.data,
            date_of_birth=form.date_of_birth.data,
            sex=form.sex.data,
        )
        try:
            casefile.update_identity(db.session(), caller(), case_id, change, form.version.data)
        except casefile.StaleEdit:
            return _stale_identity(case_id)
        flash(_("The child's identity is saved."), "info")
        return redirect(url_for("cases.show", case_id=case_id))
    return render_template("cases/identity.html", form=form, case=case)


@bp.route("/emergency-access", methods=["GET", "POST"])
@fresh_auth_required
def break_glass() -> Response | str:
    try:
        casefile.ensure_may_break_glass(db.session(), caller())
    except casefile.NotPermitted:
        abort(403)
    form = BreakGlassForm()
    if form.validate_on_submit():
        try:
            case_id = casefile.open_break_glass(
                db.session(), caller(), form.reference.data, form.reason.data
            )
        except casefile.CaseNotFound:
            form.reference.errors.append(_("There is no case with this reference."))
        else:
            return redirect(url_for("cases.show", case_id=case_id))
    return render_template("cases/break_glass.html", form=form)


def _stale_identity(case_id: uuid.UUID) -> str:
    """Show the other person's saved version instead of overwriting it."""
    fresh = casefile.read_case(db.session(), caller(), case_id)
    form = IdentityForm(formdata=None, obj=fresh.identity)
    form.form_errors.append(
        _(
            "Someone else changed this record while you were editing it. Nothing was "
            "saved. The form now shows their version; make your change again."
        )
    )
    return render_template("cases/identity.html", form=form, case=fresh)
