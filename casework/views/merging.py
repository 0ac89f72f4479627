"""Merging two linked cases: each lead agrees on this page, after signing in again."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework import casefile
from casework.forms.duplicates import MergeForm
from casework.views.common import door, fresh_auth_required, refuse

bp = Blueprint("merging", __name__)


@bp.route("/cases/<uuid:case_id>/merge/<uuid:other_id>", methods=["GET", "POST"])
@fresh_auth_required
def merge(case_id: uuid.UUID, other_id: uuid.UUID) -> Response | str:
    proposal = casefile.merge_proposal(*door(), case_id, other_id)
    form = MergeForm()
    form.survivor.choices = [
        (str(proposal.case_id), _("This case, %(reference)s", reference=proposal.reference)),
        (
            str(proposal.other_id),
            _("The other case, %(reference)s", reference=proposal.other_reference),
        ),
    ]
    if form.validate_on_submit():
        try:
            merged = casefile.agree_to_merge(
                *door(), case_id, other_id, uuid.UUID(form.survivor.data)
            )
        except casefile.InvalidInput as error:
            refuse(form, error)
        else:
            if merged:
                flash(_("The cases are merged."), "info")
                survivor = uuid.UUID(form.survivor.data)
                return redirect(url_for("cases.show", case_id=survivor))
            flash(
                _("Your agreement is recorded. The cases are merged once the other lead agrees."),
                "info",
            )
            return redirect(url_for("cases.show", case_id=case_id))
    elif form.survivor.data is None and proposal.we_agreed_survivor is not None:
        form.survivor.data = str(proposal.we_agreed_survivor)
    return render_template("cases/merge.html", form=form, proposal=proposal)
