"""The auditor's screens: events with filters, break-glass accesses, chain integrity.

Every screen goes through casework.oversight.review, which checks `audit:read` (403 and an
audited denial otherwise) and records the review itself.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from casework.audit.export import csv_text
from casework.audit.queries import PageRequest
from casework.audit.verify import Report
from casework.audit_labels import DAMAGE
from casework.casefile import InvalidInput
from casework.forms.audit import AuditFilterForm, BreakGlassVerdictForm, VerifyForm
from casework.oversight import breakglass as oversight_breakglass
from casework.oversight import review
from casework.views.common import door, fresh_auth_required, refuse

bp = Blueprint("audit", __name__, url_prefix="/audit")

PAGING_ARGS = ("before", "after")


# Sequence numbers are 64-bit integers in the database; a larger cursor is no page.
CURSOR_MAX = 2**63 - 1


def _cursor(name: str) -> int | None:
    value = request.args.get(name, type=int)
    return value if value is not None and 0 < value <= CURSOR_MAX else None


def page_request() -> PageRequest:
    """The page asked for; a cursor that is not a sequence number is ignored."""
    return PageRequest(before=_cursor("before"), after=_cursor("after"))


def _filter_args() -> dict[str, Any]:
    return {k: v for k, v in request.args.items() if k not in PAGING_ARGS and v}


def _filter_form() -> tuple[AuditFilterForm, dict[str, str]]:
    """The filter form over the query string, with the organisations to choose from."""
    organisations = review.organisation_names(*door())
    form = AuditFilterForm(formdata=request.args or None, organisations=organisations)
    return form, organisations


@bp.get("/")
def events() -> str:
    form, organisations = _filter_form()
    context: dict[str, Any] = {"form": form, "organisations": organisations, "result": None}
    if request.args and not form.validate():
        return render_template("audit/events.html", **context)
    context["result"] = review.review_events(*door(), form.to_filter(), page_request())
    context["filter_args"] = _filter_args()
    return render_template("audit/events.html", **context)


@bp.get("/events.csv")
@fresh_auth_required
def export() -> BaseResponse:
    form, organisations = _filter_form()
    if request.args and not form.validate():
        return redirect(url_for("audit.events", **_filter_args()))
    try:
        rows = review.export_events(*door(), form.to_filter())
    except review.TooManyToExport as exc:
        flash(
            _(
                "%(count)d events match; export at most %(limit)d at a time. Narrow the filters.",
                count=exc.matching,
                limit=review.EXPORT_LIMIT,
            ),
            "error",
        )
        return redirect(url_for("audit.events", **_filter_args()))
    name = f"casework-audit-{datetime.now(UTC):%Y%m%d-%H%M%S}.csv"
    return Response(
        csv_text(rows, organisations),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.get("/break-glass")
def breakglass() -> str:
    organisations = review.organisation_names(*door())
    result = review.review_breakglass(*door(), page_request())
    return render_template("audit/breakglass.html", result=result, organisations=organisations)


@bp.get("/chain")
def chain() -> str:
    status = review.review_chain(*door())
    return render_template("audit/chain.html", status=status, verify_form=VerifyForm())


@bp.post("/chain/verify")
def verify() -> BaseResponse:
    form = VerifyForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        report = review.verify_now(*door())
    except review.CheckpointFileUnusable:
        flash(
            _(
                "The audit checkpoint file outside the database cannot be used, so the log"
                " was not verified. This is recorded; an administrator sees why with"
                " casework audit verify."
            ),
            "error",
        )
        return redirect(url_for("audit.chain"))
    _announce(report)
    return redirect(url_for("audit.chain"))


def _announce(report: Report) -> None:
    if report.damage is None:
        flash(
            _(
                "The audit log is intact: %(count)d events, the newest is number %(head)d.",
                count=report.count,
                head=report.head_seq,
            ),
            "info",
        )
        return
    flash(
        _(
            "The audit log is damaged: the first bad event is number %(seq)d (%(kind)s).",
            seq=report.damage.seq,
            kind=DAMAGE[report.damage.kind],
        ),
        "error",
    )


@bp.get("/break-glass/queue")
def breakglass_queue() -> str:
    waiting = oversight_breakglass.review_queue(*door())
    return render_template("audit/breakglass_queue.html", waiting=waiting)


@bp.route("/break-glass/<uuid:grant_id>", methods=["GET", "POST"])
def review_breakglass(grant_id: uuid.UUID) -> BaseResponse | str:
    """One use's review: justified or not, with a note; never one's own."""
    use = oversight_breakglass.waiting_use(*door(), grant_id)
    form = BreakGlassVerdictForm()
    if form.validate_on_submit():
        try:
            oversight_breakglass.review_use(
                *door(), grant_id, form.justified.data == "yes", form.note.data or ""
            )
        except InvalidInput as error:
            refuse(form, error)
        else:
            flash(_("The review of %(reference)s is recorded.", reference=use.case_ref), "info")
            return redirect(url_for("audit.breakglass_queue"))
    return render_template("audit/breakglass_review.html", use=use, form=form)
