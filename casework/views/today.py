"""The Today page, notifications and their settings."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework import casefile
from casework.forms.today import MarkReadForm, email_choices, settings_form
from casework.views.common import door, refuse, safe_next

bp = Blueprint("today", __name__)


# Kinds whose notification leads to a page of their own rather than to the case (the
# reader may not be on the case's team).
KIND_PAGES = {"possible_same_child": "duplicates.items"}


@bp.app_template_global()
def notification_url(item: Any) -> str:
    """Where a notification leads: its kind's page, or else its case."""
    page = KIND_PAGES.get(item.kind)
    if page is not None:
        return url_for(page)
    return url_for("cases.show", case_id=item.case_id)


def _read_form() -> MarkReadForm:
    """The "mark as read" form, returning to the page it is on."""
    return MarkReadForm(formdata=None, next=request.full_path.rstrip("?"))


@bp.get("/today")
def today() -> str:
    page = casefile.today_page(*door())
    return render_template("today/today.html", page=page, read_form=_read_form())


@bp.get("/notifications")
def notifications() -> str:
    items = casefile.my_notifications(*door())
    return render_template("today/notifications.html", items=items, read_form=_read_form())


@bp.post("/notifications/read")
def mark_read() -> Response:
    """Marks the caller's unread notifications read: a POST, so a link preview, a prefetch
    or an image tag cannot do it. Back to the page it was sent from, if that is a page of
    Casework's own; else to Today."""
    form = MarkReadForm()
    if form.validate_on_submit():
        casefile.mark_read(*door())
        flash(_("Your notifications are marked as read."), "info")
    return redirect(safe_next(form.next.data, home="today.today"))


@bp.route("/notifications/settings", methods=["GET", "POST"])
def settings() -> Response | str:
    current = casefile.notification_settings(*door())
    data: dict[str, object] = {"email_address": current.email_address}
    data.update({f"email_{code}": wanted for code, _label, wanted in current.choices})
    form = settings_form(current.choices, data if not _posted() else None)
    if form.validate_on_submit():
        try:
            casefile.save_notification_settings(
                *door(), form.email_address.data or "", email_choices(form, request.form)
            )
        except casefile.InvalidInput as error:
            refuse(form, error)
        else:
            flash(_("Your notification settings are saved."), "info")
            return redirect(url_for("today.settings"))
    return render_template(
        "today/settings.html", form=form, mail_on=bool(current_app.config["CASEWORK"].mail_server)
    )


def _posted() -> bool:
    return request.method == "POST"
