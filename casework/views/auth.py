from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response

from casework import db
from casework.accounts import authenticate, record_logout
from casework.forms.auth import LoginForm, LogoutForm
from casework.security import request_context

bp = Blueprint("auth", __name__)

DEMO_PASSWORD = "casework-demo"  # noqa: S105 - shown on the login page in demo mode only


@bp.route("/login", methods=["GET", "POST"])
def login() -> Response | str | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(db.session(), form.username.data, form.password.data, request_context())
        if user is not None:
            session.clear()  # nothing from before sign-in carries over
            login_user(user)
            session.permanent = True
            return redirect(url_for("main.index"))
        form.form_errors.append(_("The user name or password is not correct."))
        return render_template("auth/login.html", form=form, demo_password=DEMO_PASSWORD), 200
    return render_template("auth/login.html", form=form, demo_password=DEMO_PASSWORD)


@bp.post("/logout")
def logout() -> Response:
    form = LogoutForm()
    if not form.validate_on_submit():
        flash(_("Your sign-out was not confirmed. Please use the Sign out button."), "error")
        return redirect(url_for("main.index"))
    record_logout(db.session(), current_user._get_current_object(), request_context())
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))
