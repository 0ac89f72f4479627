"""Deny by default, request ids, the Origin check, security headers, the request log
and friendly error pages."""

from __future__ import annotations

import logging
import time
import uuid
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
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
from flask_login import current_user, logout_user
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as BaseResponse

from casework import db
from casework.audit.events import Action, RequestContext, record
from casework.auth import sessions
from casework.auth.accounts import actor_of, load_user
from casework.clock import utcnow
from casework.extensions import login_manager
from casework.logs import REQUEST_LOGGER

log = logging.getLogger(__name__)
request_log = logging.getLogger(REQUEST_LOGGER)

# Methods that change something: a browser sends Origin with each of them.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# The only endpoints reachable without signing in.
PUBLIC_ENDPOINTS = frozenset(
    {
        "auth.login",
        "auth.second_factor",
        "auth.enrol",
        "language.switch",
        "main.favicon",
        "main.health",
        "main.ready",
        "static",
    }
)

# Public endpoints that also act on the signed-in person's account: a cookie of an ended
# session is refused there as everywhere else.
SIGNED_IN_CHECKED = frozenset({"language.switch"})

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; object-src 'none'"
)

FALLBACK_500 = (
    '<!doctype html><html lang="en"><title>Casework</title>'
    "<h1>Something went wrong</h1><p>Nothing was changed. Please try again.</p></html>"
)

ERROR_TITLES = {
    400: _l("The request could not be understood"),
    403: _l("You may not do this"),
    404: _l("Not found"),
    405: _l("Not allowed here"),
    409: _l("Someone else changed this"),
    410: _l("Erased"),
    413: _l("Too much data"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong"),
}


def request_context() -> RequestContext:
    return RequestContext(request_id=g.get("request_id", ""), client_addr=request.remote_addr or "")


def init_app(app: Flask) -> None:
    login_manager.session_protection = "strong"

    def _load_user(user_id: str) -> object:
        # The server session and its user in one statement; the session is checked
        # (ended, timed out, someone else's) before the request goes on.
        found = sessions.find_with_user(db.session(), session.get("sid"))
        if found is not None:
            g.server_session = found[0]
            if str(found[1].id) == user_id:
                return found[1] if found[1].active else None
        return load_user(db.session(), user_id)

    def _unauthorized() -> BaseResponse:
        return redirect(url_for("auth.login"))

    login_manager.user_loader(_load_user)
    login_manager.unauthorized_handler(_unauthorized)

    def _begin() -> None:
        g.request_id = uuid.uuid4().hex
        g.request_started = time.perf_counter()
        _check_origin()

    # First of all: before the CSRF token check, so its refusals have a request id too.
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)

    @app.before_request
    def _deny_by_default() -> BaseResponse | None:
        if request.endpoint in PUBLIC_ENDPOINTS:
            if request.endpoint in SIGNED_IN_CHECKED and current_user.is_authenticated:
                # Open to everyone, but what it does to an account needs a live session.
                return _check_server_session()
            return None
        if request.endpoint is None:
            return None  # no route: the 404 handler answers
        if not current_user.is_authenticated:
            return login_manager.unauthorized()  # type: ignore[no-any-return]
        return _check_server_session()

    @app.after_request
    def _keep_touch(response: Response) -> Response:
        """Last-seen rides along with the request's own commit; a request that commits
        nothing (or whose work was rolled back) writes it here, alone."""
        row = g.get("touched_session")
        db_session = g.get("db_session")
        if row is not None and db_session is not None:
            pending = [*db_session.dirty, *db_session.new, *db_session.deleted]
            if len(pending) == 1 and pending[0] is row:
                db_session.commit()
        return response

    @app.after_request
    def _headers(response: Response) -> Response:
        h = response.headers
        h["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        # Same-origin: other sites learn nothing (not even that Casework was open), while
        # Casework's own forms carry the Referer that CSRF's strict check needs over HTTPS.
        h["Referrer-Policy"] = "same-origin"
        h["X-Content-Type-Options"] = "nosniff"
        h["X-Frame-Options"] = "DENY"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        if request.endpoint != "static":
            h["Cache-Control"] = "no-store"
        if request.is_secure:
            h["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        _log_request(response)
        return response

    _register_error_pages(app)


def _check_origin() -> None:
    """Refuse a change sent from another site: a browser names the page's origin in
    every POST, and it must be Casework's own (scheme, host and port, as seen through
    the trusted proxies). A request without Origin (not from a browser) still needs its
    CSRF token, and over HTTPS a same-origin Referer."""
    if request.method not in UNSAFE_METHODS:
        return
    origin = request.headers.get("Origin")
    if origin is None:
        return
    own = urlsplit(request.host_url)
    sent = urlsplit(origin)
    if (sent.scheme, sent.netloc.lower()) != (own.scheme, own.netloc.lower()):
        raise CSRFError("The request's Origin is not this site.")


def _log_request(response: Response) -> None:
    """One line per request, by route pattern: no path, query string or form value."""
    started = g.get("request_started")
    rule = request.url_rule
    # The user Flask-Login loaded for this request, if any: no extra query to find out.
    user = g.get("_login_user")
    user_id = user.get_id() if user is not None and user.is_authenticated else None
    request_log.info(
        "%s %s %s",
        request.method,
        rule.rule if rule is not None else "-",
        response.status_code,
        extra={
            "request_id": g.get("request_id", ""),
            "method": request.method,
            "route": rule.rule if rule is not None else None,
            "endpoint": request.endpoint,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            "bytes": response.calculate_content_length(),
            "client": request.remote_addr,
            "user_id": user_id,
        },
    )


def _check_server_session() -> BaseResponse | None:
    """The signed cookie only points to a session; the server decides whether it lasts."""
    settings = current_app.config["CASEWORK"]
    db_session = db.session()
    row = g.pop("server_session", None)
    if row is None:
        row = sessions.find(db_session, session.get("sid"))
    now = utcnow()
    reason = sessions.expiry_reason(row, settings, now) if row else "missing"
    if row is not None and row.user_id != current_user.id:
        reason = "mismatch"
    if reason is None and row is not None:
        # Written with the request's own transaction, at most once a minute.
        if sessions.touch(row, now):
            g.touched_session = row
        g.user_session = row
        return None
    if row is not None and row.ended_at is None:
        sessions.end(row, reason or "ended")
        record(
            db_session,
            Action.SESSION_END,
            actor_of(current_user),
            subject=current_user.username,
            context=request_context(),
        )
        db_session.commit()
    logout_user()
    session.clear()
    flash(_("Your session has ended. Please sign in again."), "info")
    return redirect(url_for("auth.login"))


def _register_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str, int]:
        message = _("This form has expired or was not sent from Casework. Please try again.")
        return render_template(
            "errors/error.html", code=400, title=ERROR_TITLES[400], message=message
        ), 400

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> tuple[str, int] | HTTPException:
        code = error.code or 500
        if code not in ERROR_TITLES:
            return error
        return render_template(
            "errors/error.html", code=code, title=ERROR_TITLES[code], message=None
        ), code

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> tuple[str, int]:
        # Logged with its traceback for operators; the page shows no detail.
        log.exception("unhandled error in request %s", g.get("request_id", "-"))
        # Undo the request's changes; the session stays open for the error page (which
        # shows who is signed in) and is closed at teardown.
        db_session = g.get("db_session")
        if db_session is not None:
            db_session.rollback()
        try:
            return render_template(
                "errors/error.html", code=500, title=ERROR_TITLES[500], message=None
            ), 500
        except Exception:
            log.exception("the error page failed to render")
            return FALLBACK_500, 500
