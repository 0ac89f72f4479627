"""Possible same child: the items left by the duplicate check for a case's lead and the
region's coordinators, and their decision (link the cases, or dismiss)."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework import casefile
from casework.forms.duplicates import SameChildDecisionForm
from casework.views.common import door
from casework.views.errors import error_page

bp = Blueprint("duplicates", __name__, url_prefix="/cases/same-child")


@bp.get("/")
def items() -> str:
    found = casefile.same_child_items(*door())
    return render_template("duplicates/items.html", items=found, form=SameChildDecisionForm())


@bp.post("/<uuid:item_id>/link")
def link(item_id: uuid.UUID) -> Response | tuple[str, int]:
    return _decide(item_id, casefile.link_same_child, _("The two cases are linked."))


@bp.post("/<uuid:item_id>/dismiss")
def dismiss(item_id: uuid.UUID) -> Response | tuple[str, int]:
    return _decide(item_id, casefile.dismiss_same_child, _("The item is dismissed."))


def _decide(
    item_id: uuid.UUID, decide: Callable[..., None], done: str
) -> Response | tuple[str, int]:
    form = SameChildDecisionForm()
    if not form.validate_on_submit():
        return error_page(400, _("The form was incomplete; nothing changed. Reload the page."))
    try:
        decide(*door(), item_id, form.version.data)
    except casefile.WrongStatus:
        flash(_("Someone else decided this item meanwhile; nothing changed."), "error")
        return redirect(url_for("duplicates.items"))
    flash(done, "info")
    return redirect(url_for("duplicates.items"))
