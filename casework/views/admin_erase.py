"""Erasing a case, for administrators: the reference and a coded reason, then a second
page to type the reference again and give the password. They never see case content."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework.casefile import CaseNotFound
from casework.casefile.casewide.erasure import (
    AlreadyErased,
    ErasureReason,
    ReauthenticationFailed,
    ensure_may_erase,
    erase_case,
    erasure_target,
    normalise_reference,
)
from casework.forms.erasure import REASONS, EraseConfirmForm, EraseStartForm
from casework.views.common import door, fresh_auth_required

bp = Blueprint("admin_erase", __name__, url_prefix="/admin/erase")


def _ensure_allowed() -> None:
    ensure_may_erase(*door())


@bp.route("/", methods=["GET", "POST"])
@fresh_auth_required
def start() -> str:
    _ensure_allowed()
    form = EraseStartForm()
    if form.validate_on_submit():
        try:
            target = erasure_target(*door(), form.reference.data)
        except CaseNotFound:
            form.reference.errors.append(_("No case has this reference. Check it and try again."))
        except AlreadyErased:
            form.reference.errors.append(_("This case has been erased already."))
        else:
            confirm_form = EraseConfirmForm(
                formdata=None, reference=target.reference, reason=form.reason.data
            )
            return _confirm_page(confirm_form)
    return render_template("admin/erase.html", form=form)


@bp.post("/confirm")
@fresh_auth_required
def confirm() -> Response | str:
    _ensure_allowed()
    form = EraseConfirmForm()
    if not form.validate_on_submit():
        if form.reference.errors or form.reason.errors:
            abort(400)  # the hidden fields were altered; nothing to show beside a field
        return _confirm_page(form)
    reference = normalise_reference(form.reference.data)
    if normalise_reference(form.confirm_reference.data) != reference:
        form.confirm_reference.errors.append(
            _("This is not the reference of the case to erase. Type it exactly as shown.")
        )
        return _confirm_page(form)
    try:
        reason = ErasureReason(form.reason.data)
        erase_case(*door(), reference, reason, form.password.data)
    except ReauthenticationFailed:
        form.password.errors.append(_("The password is not correct."))
        return _confirm_page(form)
    except (CaseNotFound, AlreadyErased):
        flash(
            _(
                "Case %(reference)s cannot be erased: it is gone or erased already.",
                reference=reference,
            ),
            "error",
        )
        return redirect(url_for(".start"))
    flash(
        _(
            "Case %(reference)s is erased: its data key and search tokens are destroyed.",
            reference=reference,
        ),
        "info",
    )
    return redirect(url_for(".start"))


def _confirm_page(form: EraseConfirmForm) -> str:
    reference = normalise_reference(form.reference.data or "")
    reason = REASONS.get(ErasureReason(form.reason.data)) if form.reason.data else None
    return render_template(
        "admin/erase_confirm.html", form=form, reference=reference, reason=reason
    )
