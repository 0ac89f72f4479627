"""The access log of a case, for the case lead."""

from __future__ import annotations

import uuid

from flask import Blueprint, render_template

from casework.casefile.casewide.access_log import case_access_log
from casework.views.audit import page_request
from casework.views.common import door

bp = Blueprint("case_access", __name__, url_prefix="/cases")


@bp.get("/<uuid:case_id>/access-log")
def access_log(case_id: uuid.UUID) -> str:
    log = case_access_log(*door(), case_id, page_request())
    return render_template("cases/access_log.html", log=log)
