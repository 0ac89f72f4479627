from __future__ import annotations

from flask import Blueprint, current_app, jsonify, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from casework import db
from casework.access.permissions import Permission
from casework.access.policy import current_policy

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> Response | str:
    if current_policy().allows(current_user.role, Permission.CASE_READ):
        return redirect(url_for("cases.my_cases"))
    if current_policy().allows(current_user.role, Permission.STATS_READ):
        return redirect(url_for("statistics.page"))
    return render_template("main/home.html")


@bp.get("/health")
def health() -> tuple[Response, int]:
    """For load balancers: says whether the database answers, and nothing else."""
    try:
        db.ping()
    except Exception:
        current_app.logger.exception("health check failed")
        return jsonify(status="unavailable"), 503
    return jsonify(status="ok"), 200
