"""User administration screens (admins only; each action needs a fresh sign-in)."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework import db
from casework.auth import admin
from casework.auth.accounts import AccountError
from casework.forms.admin import ActionForm, AssignmentForm, NewUserForm
from casework.labels import role_label
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
            token = admin.add_user(
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
            return _show_link(form.username.data, token)
    return render_template("admin/new_user.html", form=form)


def _show_link(username: str, token: str) -> str:
    link = url_for("auth.enrol", token=token, _external=True)
    return render_template("admin/enrolment_link.html", username=username, link=link)


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
            admin.change_assignment(
                *door(), user_id, form.role.data, uuid.UUID(form.organisation.data)
            )
        except AccountError:
            form.form_errors.append(_("You cannot change your own role or organisation."))
        else:
            flash(_("Saved. The user's sessions have ended where the role changed."), "info")
            return redirect(url_for("admin.users"))
    return render_template(
        "admin/edit_user.html",
        form=form,
        user=user,
        action_form=ActionForm(),
        is_self=user.id == caller().user.id,
    )


def _action(user_id: uuid.UUID, done: str, run: object) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        run()  # type: ignore[operator]
    except LookupError:
        abort(404)
    except AccountError:
        flash(_("You cannot do this to your own account."), "error")
        return redirect(url_for("admin.edit_user", user_id=user_id))
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
        token = admin.reset_second_factor(db.session(), current_settings(), caller(), user_id)
    except LookupError:
        abort(404)
    except AccountError:
        flash(_("You cannot do this to your own account."), "error")
        return redirect(url_for("admin.edit_user", user_id=user_id))
    user = admin.get_user(*door(), user_id)
    return _show_link(user.username if user else "", token)
