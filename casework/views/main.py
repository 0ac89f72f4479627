from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    jsonify,
    redirect,
    render_template,
    send_from_directory,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from casework import db
from casework.access.permissions import Permission
from casework.access.policy import current_policy
from casework.auth import admin
from casework.oversight import review
from casework.views.common import caller, door

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> Response | str:
    """Today for every role that works on cases; the others' own work otherwise."""
    policy = current_policy()
    if policy.allows(current_user.role, Permission.CASE_READ):
        return redirect(url_for("today.today"))
    if policy.allows(current_user.role, Permission.STATS_READ):
        return redirect(url_for("statistics.page"))
    desk = None
    pending: list[object] = []
    locked: list[object] = []
    if policy.allows(current_user.role, Permission.AUDIT_READ):
        desk = review.auditor_desk(*door())
    if policy.allows(current_user.role, Permission.USERS_MANAGE):
        users = admin.list_users(db.session(), current_app.config["CASEWORK"], caller())
        pending = [u for u in users if u.active and not u.enrolled]
        locked = [u for u in users if u.locked]
    return render_template("main/home.html", desk=desk, pending=pending, locked=locked)


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers that ask for the old address get the icon every page names."""
    folder = str(current_app.static_folder)
    return send_from_directory(folder, "favicon.svg", mimetype="image/svg+xml", max_age=86400)


@bp.get("/health")
def health() -> tuple[Response, int]:
    """For load balancers: says whether the database answers, and nothing else."""
    try:
        db.ping()
    except Exception:
        current_app.logger.exception("health check failed")
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok"), 200


@bp.get("/ready")
def ready() -> tuple[Response, int]:
    """For load balancers and deployments: ready to serve when the database answers and
    its schema is the one this code expects. Says which of the two fails, nothing more."""
    try:
        revision = db.schema_revision()
    except Exception:
        current_app.logger.exception("readiness check: the database does not answer")
        return jsonify(status="unavailable", check="database"), 503
    if revision != db.head_revision():
        current_app.logger.warning(
            "readiness check: the database is at migration %s, the code expects %s",
            revision,
            db.head_revision(),
        )
        return jsonify(status="unavailable", check="migrations"), 503
    return jsonify(status="ok"), 200
