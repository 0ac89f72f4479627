"""Moving a case through its lifecycle, and raising and resolving flags."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from casework import casefile
from casework.forms.lifecycle import (
    CloseForm,
    FlagForm,
    ReopenForm,
    ResolveFlagForm,
    StepForm,
)
from casework.views.common import caller, door, refuse
from casework.views.editing import Page, back_to_case, case_after, form_from, found
from casework.views.errors import stale_message

bp = Blueprint("lifecycle", __name__, url_prefix="/cases/<uuid:case_id>")

DONE = {
    casefile.Step.TAKE_ON: _l("The case is yours: you lead its support team."),
    casefile.Step.ACTIVATE: _l("Support has started: the case is active."),
    casefile.Step.CLOSE: _l("The case is closed."),
    casefile.Step.REOPEN: _l("The case is reopened."),
}


def _lead_view(case_id: uuid.UUID, step: casefile.Step) -> casefile.CaseReadout:
    casefile.lead_case(*door(), case_id, step)
    return casefile.read_case(*door(), case_id)


def _step(case_id: uuid.UUID, change: casefile.StatusChange) -> Response | None:
    """Take the step; a message back to the case, or None when the form was stale."""
    try:
        casefile.change_status(*door(), case_id, change)
    except casefile.StaleEdit:
        return None
    return back_to_case(case_id, str(DONE[change.step]), "status")


def _simple_step(case_id: uuid.UUID, step: casefile.Step) -> Response:
    _lead_view(case_id, step)
    form = StepForm()
    if not form.validate_on_submit() or form.version.data is None:
        abort(400)
    change = casefile.StatusChange(step=step, expected_version=form.version.data)
    return _step(case_id, change) or back_to_case(case_id, stale_message(), "status")


@bp.post("/take-on")
def take_on(case_id: uuid.UUID) -> Response:
    """The social worker a case was handed to takes it on: identified -> open."""
    return _simple_step(case_id, casefile.Step.TAKE_ON)


@bp.post("/activate")
def activate(case_id: uuid.UUID) -> Response:
    return _simple_step(case_id, casefile.Step.ACTIVATE)


@bp.route("/close", methods=["GET", "POST"])
def close(case_id: uuid.UUID) -> Response | str:
    """Closing asks first: the first post shows a confirmation page, the second closes."""
    page = Page(
        title=_("Close the case"),
        submit=_("Continue"),
        done="",
        anchor="status",
        intro=_("You will be asked to confirm before the case is closed."),
    )
    return _reason_step(case_id, casefile.Step.CLOSE, CloseForm, page)


@bp.route("/reopen", methods=["GET", "POST"])
def reopen(case_id: uuid.UUID) -> Response | str:
    page = Page(title=_("Reopen the case"), submit=_("Reopen the case"), done="", anchor="status")
    return _reason_step(case_id, casefile.Step.REOPEN, ReopenForm, page)


def _reason_step(
    case_id: uuid.UUID, step: casefile.Step, form_class: type[FlaskForm], page: Page
) -> Response | str:
    case = _lead_view(case_id, step)
    form = form_from(form_class, {"version": case.details.case_version})
    if form.validate_on_submit():
        if step is casefile.Step.CLOSE and form.confirmed.data != "yes":
            return render_template("lifecycle/confirm_close.html", form=form, case=case)
        change = casefile.StatusChange(
            step=step,
            expected_version=form.version.data,
            reason=form.reason.data,
            note=form.note.data,
        )
        try:
            done = _step(case_id, change)
        except casefile.InvalidInput as error:
            refuse(form, error)
            return _form_page(form, case, page)
        if done is not None:
            return done
        # Someone changed the case meanwhile: show it as it is now, with its version.
        case = casefile.read_case(*door(), case_id)
        form.version.data = case.details.case_version
        form.form_errors.append(stale_message())
    return _form_page(form, case, page)


def _form_page(form: FlaskForm, case: casefile.CaseReadout, page: Page) -> str:
    return render_template("record/edit.html", form=form, case=case, page=page, action=request.path)


def _flag_view(case_id: uuid.UUID) -> casefile.CaseReadout:
    return case_after(case_id, lambda: casefile.ensure_may_flag(*door(), case_id))


@bp.route("/flags/new", methods=["GET", "POST"])
def raise_flag(case_id: uuid.UUID) -> Response | str:
    case = _flag_view(case_id)
    form = FlagForm()
    role = caller().role
    form.kind.choices = [
        (code, label)
        for code, label in form.kind.choices
        if not code or casefile.may_raise(role, code)
    ]
    if form.validate_on_submit():
        try:
            casefile.raise_flag(*door(), case_id, form.kind.data, form.text.data)
        except casefile.InvalidInput as error:
            refuse(form, error)
        else:
            return back_to_case(case_id, _("The flag is raised. The whole team sees it."), "flags")
    page = Page(title=_("Raise a flag"), submit=_("Raise the flag"), done="", anchor="flags")
    return _form_page(form, case, page)


@bp.route("/flags/<uuid:item_id>/resolve", methods=["GET", "POST"])
def resolve_flag(case_id: uuid.UUID, item_id: uuid.UUID) -> Response | str:
    case = case_after(case_id, lambda: casefile.ensure_may_resolve(*door(), case_id, item_id))
    flag = found(case.details.open_flags, item_id)
    form = form_from(ResolveFlagForm, flag)
    if form.validate_on_submit():
        try:
            casefile.resolve_flag(
                *door(), case_id, item_id, form.resolution.data, form.version.data
            )
        except casefile.InvalidInput as error:
            refuse(form, error)
        except casefile.StaleEdit:
            return back_to_case(case_id, _("Someone else resolved this flag meanwhile."), "flags")
        else:
            return back_to_case(case_id, _("The flag is resolved."), "flags")
    page = Page(
        title=_("Resolve a flag"),
        submit=_("Resolve the flag"),
        done="",
        anchor="flags",
        intro=flag.text or None,
    )
    return _form_page(form, case, page)
