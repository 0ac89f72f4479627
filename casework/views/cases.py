from __future__ import annotations

import uuid

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework import casefile, db
from casework.forms.cases import OpenCaseForm
from casework.views.common import caller

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.get("/")
def my_cases() -> str:
    try:
        cases = casefile.my_cases(db.session(), caller())
    except casefile.NotPermitted:
        abort(403)
    return render_template("cases/my_cases.html", cases=cases)


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
        if not form.not_a_duplicate.data:
            duplicates = casefile.possible_duplicates(db.session(), caller(), child)
            if duplicates is not None and duplicates.hits:
                return render_template("cases/new.html", form=form, result=duplicates)
        prefix = current_app.config["CASEWORK"].case_reference_prefix
        try:
            case_id = casefile.open_case(db.session(), caller(), child, prefix=prefix)
        except casefile.NotPermitted:
            abort(403)
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
