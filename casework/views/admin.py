"""User administration screens (admins only; each action needs a fresh sign-in)."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from casework import db
from casework.auth import admin
from casework.auth import approvals as admin_approvals
from casework.auth.accounts import AccountError
from casework.casefile.support.membership import (
    tell_leads_of_profession_change,
    tell_leads_of_role_change,
)
from casework.forms.admin import ActionForm, AssignmentForm, NewUserForm, ProfessionForm
from casework.labels import profession_choices, role_label
from casework.settings import current_settings
from casework.views.common import caller, door, fresh_auth_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _choices(form: AssignmentForm) -> None:
    form.role.choices = [("", _("Choose …"))] + [(r, role_label(r)) for r in admin.role_names()]
    form.organisation.choices = [("", _("Choose …"))] + [
        (str(o.id), o.name) for o in admin.organisations(db.session())
    ]


@bp.get("/users")
@fresh_auth_required
def users() -> str:
    rows = admin.list_users(db.session(), current_settings(), caller())
    return render_template("admin/users.html", rows=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@fresh_auth_required
def new_user() -> str:
    admin.ensure_may_manage(*door())
    form = NewUserForm()
    _choices(form)
    if form.validate_on_submit():
        try:
            outcome = admin.add_user(
                db.session(),
                current_settings(),
                caller(),
                username=form.username.data,
                display_name=form.display_name.data,
                role=form.role.data,
                organisation_id=uuid.UUID(form.organisation.data),
            )
        except AccountError:
            form.username.errors.append(_("This user name is taken."))
        else:
            if outcome.pending:
                return render_template(
                    "admin/requested.html",
                    message=_(
                        "The account of %(username)s is created, inactive. Its role reaches "
                        "child data or administers accounts, so another administrator "
                        "approves it and then hands over the enrolment link.",
                        username=form.username.data,
                    ),
                    code=outcome.code,
                )
            return _show_link(form.username.data, outcome.token or "", outcome.purpose)
    return render_template("admin/new_user.html", form=form)


def _show_link(username: str, token: str, purpose: str = "enrol") -> str:
    link = url_for("auth.enrol", token=token, _external=True)
    return render_template(
        "admin/enrolment_link.html", username=username, link=link, purpose=purpose
    )


def _pending(message: str) -> Response:
    flash(message, "info")
    return redirect(url_for("admin.approvals"))


WAITING = _l("This waits for another administrator's approval.")
ALREADY_WAITING = _l("A request of this kind for this account is waiting for approval already.")


@bp.route("/users/<uuid:user_id>", methods=["GET", "POST"])
@fresh_auth_required
def edit_user(user_id: uuid.UUID) -> Response | str:
    user = admin.get_user(*door(), user_id)
    if user is None:
        abort(404)
    form = AssignmentForm(data={"role": user.role, "organisation": str(user.organisation_id)})
    _choices(form)
    if form.validate_on_submit():
        try:
            outcome = admin.change_assignment(
                *door(),
                user_id,
                form.role.data,
                uuid.UUID(form.organisation.data),
                told=tell_leads_of_role_change,
            )
        except AccountError as error:
            form.form_errors.append(
                str(ALREADY_WAITING)
                if str(error) == "pending"
                else _("You cannot change your own role or organisation.")
            )
        else:
            if outcome.pending and outcome.code:
                return render_template(
                    "admin/requested.html",
                    message=_(
                        "The change of role for %(username)s waits for another "
                        "administrator's approval. The new role reaches child data or "
                        "administers accounts, and one administrator alone may hold the "
                        "account's present sign-in, so the approval takes it away: the "
                        "person enrols again with this code and the link the approving "
                        "administrator hands over.",
                        username=user.username,
                    ),
                    code=outcome.code,
                )
            if outcome.pending:
                return _pending(str(WAITING))
            flash(_("Saved. The user's sessions have ended where the role changed."), "info")
            return redirect(url_for("admin.users"))
    return _render_user(user, form)


def _render_user(user: Any, form: AssignmentForm, profession: ProfessionForm | None = None) -> str:
    profession_form = profession or ProfessionForm(
        formdata=None, data={"profession": getattr(user, "profession", None) or ""}
    )
    profession_form.profession.choices = profession_choices()
    return render_template(
        "admin/edit_user.html",
        form=form,
        user=user,
        action_form=ActionForm(),
        profession_form=profession_form,
        is_self=getattr(user, "id", None) == caller().user.id,
    )


@bp.post("/users/<uuid:user_id>/profession")
@fresh_auth_required
def profession(user_id: uuid.UUID) -> Response | str:
    user = admin.get_user(*door(), user_id)
    if user is None:
        abort(404)
    form = ProfessionForm()
    form.profession.choices = profession_choices()
    if form.validate_on_submit():
        try:
            outcome = admin.set_profession(
                *door(),
                user_id,
                form.profession.data or None,
                told=tell_leads_of_profession_change,
            )
        except AccountError as error:
            if str(error) == "pending":
                form.profession.errors.append(str(ALREADY_WAITING))
            elif str(error) == "self":
                form.profession.errors.append(_("You cannot do this to your own account."))
            else:
                form.profession.errors.append(_("Choose a profession from the list."))
        else:
            if outcome.pending:
                return _pending(str(WAITING))
            flash(_("The profession is recorded."), "info")
            return redirect(url_for("admin.edit_user", user_id=user_id))
    assignment = AssignmentForm(
        formdata=None, data={"role": user.role, "organisation": str(user.organisation_id)}
    )
    _choices(assignment)
    return _render_user(user, assignment, form)


def _action(user_id: uuid.UUID, done: str, run: object) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        outcome = run()  # type: ignore[operator]
    except LookupError:
        abort(404)
    except AccountError as error:
        if str(error) == "pending":
            flash(str(ALREADY_WAITING), "error")
        else:
            flash(_("You cannot do this to your own account."), "error")
        return redirect(url_for("admin.edit_user", user_id=user_id))
    if outcome is not None and getattr(outcome, "pending", False):
        return _pending(str(WAITING))
    flash(done, "info")
    return redirect(url_for("admin.edit_user", user_id=user_id))


@bp.post("/users/<uuid:user_id>/deactivate")
@fresh_auth_required
def deactivate(user_id: uuid.UUID) -> Response:
    return _action(
        user_id,
        _("The account is deactivated and its sessions have ended."),
        lambda: admin.set_active(*door(), user_id, False),
    )


@bp.post("/users/<uuid:user_id>/activate")
@fresh_auth_required
def activate(user_id: uuid.UUID) -> Response:
    return _action(
        user_id,
        _("The account is active again."),
        lambda: admin.set_active(*door(), user_id, True),
    )


@bp.post("/users/<uuid:user_id>/unlock")
@fresh_auth_required
def unlock(user_id: uuid.UUID) -> Response:
    return _action(
        user_id,
        _("Sign-in is unlocked for this user."),
        lambda: admin.unlock(db.session(), current_settings(), caller(), user_id),
    )


@bp.post("/users/<uuid:user_id>/reset-second-factor")
@fresh_auth_required
def reset_second_factor(user_id: uuid.UUID) -> Response | str:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        outcome = admin.reset_second_factor(db.session(), current_settings(), caller(), user_id)
    except LookupError:
        abort(404)
    except AccountError as error:
        if str(error) == "pending":
            flash(str(ALREADY_WAITING), "error")
        else:
            flash(_("You cannot do this to your own account."), "error")
        return redirect(url_for("admin.edit_user", user_id=user_id))
    user = admin.get_user(*door(), user_id)
    username = user.username if user else ""
    if outcome.pending:
        return render_template(
            "admin/requested.html",
            message=_(
                "The request for %(username)s waits for another administrator's approval.",
                username=username,
            ),
            code=outcome.code,
        )
    return _show_link(username, outcome.token or "", outcome.purpose)


@bp.get("/approvals")
@fresh_auth_required
def approvals() -> str:
    rows = admin_approvals.pending(*door())
    return render_template("admin/approvals.html", rows=rows, action_form=ActionForm())


@bp.post("/approvals/<uuid:approval_id>")
@fresh_auth_required
def decide(approval_id: uuid.UUID) -> Response | str:
    if not ActionForm().validate_on_submit():
        abort(400)
    decision = request.form.get("decision")
    if decision not in ("approve", "refuse"):
        abort(400)
    try:
        if decision == "refuse":
            withdrawn = admin_approvals.refuse(*door(), approval_id)
            done = (
                _("The request is withdrawn; nothing changed.")
                if withdrawn
                else _("The request is turned down; nothing changed.")
            )
            flash(done, "info")
            return redirect(url_for("admin.approvals"))
        outcome = admin_approvals.approve(
            db.session(),
            current_settings(),
            caller(),
            approval_id,
            told=tell_leads_of_role_change,
            told_profession=tell_leads_of_profession_change,
        )
    except LookupError:
        abort(404)
    except AccountError as error:
        if str(error) == "decided":
            flash(_("Someone decided this request already."), "error")
        else:
            flash(
                _(
                    "Another administrator decides this request: not the one who asked, not "
                    "the person it is about, and no account that created or last changed "
                    "either of them, or that either of them created or last changed."
                ),
                "error",
            )
        return redirect(url_for("admin.approvals"))
    if outcome.token:
        return _show_link(outcome.username, outcome.token, outcome.purpose)
    flash(_("Approved. The change is made."), "info")
    return redirect(url_for("admin.approvals"))
