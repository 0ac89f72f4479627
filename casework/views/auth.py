from __future__ import annotations

import time
import uuid

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from casework import db
from casework.auth import accounts, enrolment
from casework.auth.accounts import Attempt, Step
from casework.auth.passwords import password_problem
from casework.extensions import limiter
from casework.forms.auth import (
    EnrolForm,
    LoginForm,
    LogoutForm,
    PasswordChangeForm,
    ReauthForm,
    ResetCodeForm,
    ResetPasswordForm,
    SecondFactorForm,
)
from casework.security import request_context
from casework.settings import DEMO_PASSWORD, current_settings
from casework.views.common import fresh_auth_required, safe_next
from casework.views.language import COOKIE as LANGUAGE_COOKIE

bp = Blueprint("auth", __name__)

PENDING_SECONDS = 300

WRONG = _l("The user name or password is not correct.")
WRONG_CODE = _l("The code is not correct, or it has been used already.")
LOCKED = _l(
    "Too many failed attempts. Sign-in is paused for this user name for a while; "
    "try again later, or ask your administrator to unlock it."
)
NOT_ENROLLED = _l(
    "Your account has no second factor yet. Ask your administrator for an enrolment link."
)
PASSWORD_PROBLEMS = {
    "too_short": _l("Use at least 12 characters."),
    "too_long": _l("Use at most 128 characters."),
    "common": _l("This password is one of the most common ones. Choose another."),
    "contains_username": _l("A password may not contain your user name."),
}


def _address_limit() -> str:
    return str(current_app.config["CASEWORK"].login_rate_limit_per_address)


def _failed(response: Response) -> bool:
    return response.status_code != 302


# Failed sign-ins per client address, across the password and the code step.
failed_sign_in_limit = limiter.shared_limit(
    _address_limit, scope="failed-sign-in", methods=["POST"], deduct_when=_failed
)


def _finish(attempt: Attempt) -> BaseResponse:
    """Start the signed-in session: a new cookie session pointing to a new server one."""
    user = accounts.load_user(db.session(), str(attempt.user_id))
    if user is None:
        abort(400)
    session.clear()
    session["sid"] = attempt.token
    login_user(user)
    session.permanent = True
    for kind, when in accounts.take_notices(db.session(), user.id):
        flash(str(NOTICES[kind]) % {"day": when.date().isoformat()}, "info")
    return redirect(url_for("main.index"))


NOTICES = {
    "second_factor_reset": _l(
        "An administrator reset your second factor on %(day)s. If you did not ask for "
        "this, tell your organisation's data protection contact."
    ),
    "second_factor_changed": _l("You set up a new second factor on %(day)s."),
    "role_changed": _l(
        "An administrator changed your role on %(day)s, and with it what you may see. If "
        "you did not expect this, tell your organisation's data protection contact."
    ),
    "profession_changed": _l(
        "An administrator changed your recorded profession on %(day)s, and with it "
        "whether you read clinical notes. If you did not expect this, tell your "
        "organisation's data protection contact."
    ),
}


@bp.route("/login", methods=["GET", "POST"])
@failed_sign_in_limit
def login() -> BaseResponse | str:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        attempt = accounts.check_password(
            db.session(),
            current_settings(),
            form.username.data,
            form.password.data,
            request_context(),
        )
        if attempt.step is Step.SIGNED_IN:
            return _finish(attempt)
        if attempt.step is Step.SECOND_FACTOR:
            session.clear()
            session["pending_uid"] = str(attempt.user_id)
            session["pending_at"] = time.time()
            return redirect(url_for("auth.second_factor"))
        form.form_errors.append(_message(attempt.step))
    return render_template("auth/login.html", form=form, demo_password=DEMO_PASSWORD)


def _message(step: Step) -> str:
    if step is Step.LOCKED:
        return str(LOCKED)
    if step is Step.NOT_ENROLLED:
        return str(NOT_ENROLLED)
    return str(WRONG)


def _pending_user() -> uuid.UUID | None:
    try:
        started = float(session.get("pending_at", 0))
        user_id = uuid.UUID(str(session.get("pending_uid", "")))
    except (TypeError, ValueError):
        return None
    return user_id if time.time() - started < PENDING_SECONDS else None


@bp.route("/login/code", methods=["GET", "POST"])
@failed_sign_in_limit
def second_factor() -> BaseResponse | str:
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    user_id = _pending_user()
    if user_id is None:
        session.clear()
        flash(_("Please sign in again."), "info")
        return redirect(url_for("auth.login"))
    form = SecondFactorForm()
    if form.validate_on_submit():
        attempt = accounts.check_second_factor(
            db.session(), current_settings(), user_id, form.code.data, request_context()
        )
        if attempt.step is Step.SIGNED_IN:
            return _finish(attempt)
        form.code.errors.append(LOCKED if attempt.step is Step.LOCKED else WRONG_CODE)
    return render_template("auth/second_factor.html", form=form)


@bp.post("/logout")
def logout() -> BaseResponse:
    form = LogoutForm()
    if not form.validate_on_submit():
        flash(_("Your sign-out was not confirmed. Please use the Sign out button."), "error")
        return redirect(url_for("main.index"))
    accounts.sign_out(
        db.session(), g.get("user_session"), current_user._get_current_object(), request_context()
    )
    logout_user()
    session.clear()
    flash(_("You are signed out."), "info")
    response = redirect(url_for("auth.login"))
    # The next person at this browser starts from the browser's language, not this one's.
    response.delete_cookie(LANGUAGE_COOKIE)
    return response


@bp.route("/reauth", methods=["GET", "POST"])
@failed_sign_in_limit
def reauth() -> BaseResponse | str:
    form = ReauthForm()
    user = current_user._get_current_object()
    exempt = accounts.second_factor_exempt(current_settings(), user)
    if exempt:
        form.code.validators = []
    target = safe_next(request.args.get("next"))
    if form.validate_on_submit():
        ok = accounts.reverify(
            db.session(),
            current_settings(),
            g.user_session,
            user,
            form.password.data,
            form.code.data or "",
            request_context(),
        )
        if ok:
            return redirect(target)
        form.form_errors.append(_("The password or code is not correct."))
    return render_template("auth/reauth.html", form=form, exempt=exempt, target=target)


@bp.post("/session/keepalive")
def keepalive() -> tuple[str, int]:
    """Called by the idle warning's "Stay signed in": the request itself renews."""
    return "", 204


WRONG_TOTP = _l(
    "The code is not correct. Check the time on your phone and enter the code it shows now."
)


@bp.route("/enrol/<token>", methods=["GET", "POST"])
@failed_sign_in_limit
def enrol(token: str) -> BaseResponse | str | tuple[str, int]:
    state, row = enrolment.lookup(db.session(), token)
    if row is None or state is not enrolment.LinkState.VALID:
        return render_template("auth/enrol_invalid.html", state=state), 410
    if current_user.is_authenticated:
        # Someone is signed in in this browser: the link is for another person, or for
        # them after a reset. Either way, not while this session lasts.
        return render_template("auth/enrol_invalid.html", state="signed_in"), 409
    if row.purpose == enrolment.RESET:
        return _reset(row)
    offer = enrolment.offer(db.session(), row)
    form = EnrolForm()
    needs_code = row.code_hash is not None
    if not needs_code:
        del form.enrolment_code
    if form.validate_on_submit():
        problem = password_problem(form.password.data, offer.username)
        entered = form.enrolment_code.data if needs_code else ""
        if problem:
            form.password.errors.append(PASSWORD_PROBLEMS[problem])
        elif not enrolment.code_matches(row.code_hash, entered):
            form.enrolment_code.errors.append(_("This enrolment code is not correct."))
        else:
            codes = enrolment.complete(
                db.session(),
                row,
                form.password.data,
                form.code.data,
                request_context(),
                enrolment_code=entered,
            )
            if codes is not None:
                return render_template("auth/recovery_codes.html", codes=codes)
            form.code.errors.append(str(WRONG_TOTP))
    return render_template("auth/enrol.html", form=form, offer=offer, needs_code=needs_code)


RESET_PROOF_KEY = "reset_proven"


def _reset(row: enrolment.Link) -> str:
    """A second-factor reset: the current password first (the same answer, after the
    same work, for every failure), then the new authenticator."""
    username = enrolment.link_username(db.session(), row)
    issued_on = row.created_at.date().isoformat()
    proven = row.password_proven_at is not None and session.get(RESET_PROOF_KEY) == str(row.id)
    if not proven:
        form = ResetPasswordForm()
        if form.validate_on_submit():
            if enrolment.prove_password(
                db.session(), current_settings(), row, form.password.data, request_context()
            ):
                session[RESET_PROOF_KEY] = str(row.id)
                return _reset_code(row, username, issued_on, ResetCodeForm(formdata=None))
            form.password.errors.append(str(WRONG_RESET_PASSWORD))
        return render_template(
            "auth/reset.html", form=form, offer=None, username=username, issued_on=issued_on
        )
    return _reset_code(row, username, issued_on, ResetCodeForm())


WRONG_RESET_PASSWORD = _l(
    "The password is not correct, or sign-in is paused for this account. "
    "Try again later, or ask your administrator."
)


def _reset_code(row: enrolment.Link, username: str, issued_on: str, form: ResetCodeForm) -> str:
    offer = enrolment.offer(db.session(), row)
    if form.validate_on_submit():
        codes = enrolment.complete(db.session(), row, None, form.code.data, request_context())
        if codes is not None:
            session.pop(RESET_PROOF_KEY, None)
            return render_template("auth/recovery_codes.html", codes=codes)
        form.code.errors.append(str(WRONG_TOTP))
    return render_template(
        "auth/reset.html", form=form, offer=offer, username=username, issued_on=issued_on
    )


@bp.route("/account/password", methods=["GET", "POST"])
@fresh_auth_required
def change_password() -> BaseResponse | str:
    form = PasswordChangeForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        problem = password_problem(form.password.data, user.username)
        if problem:
            form.password.errors.append(PASSWORD_PROBLEMS[problem])
        elif accounts.change_password(
            db.session(),
            current_settings(),
            g.user_session,
            user,
            form.current.data,
            form.password.data,
            request_context(),
        ):
            flash(_("Your password is changed. Your other sessions have ended."), "info")
            return redirect(url_for("main.index"))
        else:
            form.current.errors.append(_("This is not your current password."))
    return render_template("auth/change_password.html", form=form)
