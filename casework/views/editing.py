"""The shape every edit page of a case shares: check write access, show the form, save
through the door, and on a stale save show the other person's version instead."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from casework import casefile
from casework.access.permissions import FieldGroup
from casework.views.common import door, refuse
from casework.views.errors import stale_message

FormFactory = Callable[..., FlaskForm]


@dataclass(frozen=True)
class Page:
    title: str
    submit: str
    done: str
    anchor: str
    intro: str | None = None


def case_after(case_id: uuid.UUID, check: Callable[[], object]) -> casefile.CaseReadout:
    """The case as the caller sees it, once the door's `check` lets them act on it."""
    check()
    return casefile.read_case(*door(), case_id)


def case_for_change(case_id: uuid.UUID, group: FieldGroup) -> casefile.CaseReadout:
    """The case as the caller sees it, once the door agrees they may change `group`."""
    return case_after(case_id, lambda: casefile.ensure_may_write(*door(), case_id, group))


def back_to_case(case_id: uuid.UUID, message: str, anchor: str) -> Response:
    flash(message, "info")
    return redirect(url_for("cases.show", case_id=case_id, _anchor=anchor))


def form_from(form_class: FormFactory, current: Any) -> Any:
    """The form filled from the record (an object or a dict) on GET; on POST from what
    was posted only, so a post without its version cannot borrow the current one."""
    if request.method != "GET":
        return form_class()
    if isinstance(current, dict):
        return form_class(data=current)
    return form_class(obj=current)


def new_child(form: Any) -> casefile.NewChild:
    """The child of an opening form, with the identity document if one was given."""
    documents: tuple[casefile.NewDocument, ...] = ()
    if form.document_kind.data:
        documents = (
            casefile.NewDocument(
                kind=form.document_kind.data,
                number=form.document_number.data or None,
                issuing_country=form.document_country.data or None,
            ),
        )
    return casefile.NewChild(
        given_name=form.given_name.data,
        family_name=form.family_name.data,
        date_of_birth=form.date_of_birth.data,
        sex=form.sex.data,
        documents=documents,
    )


def edit_page(
    case_id: uuid.UUID,
    group: FieldGroup,
    form_class: FormFactory,
    current: Callable[[casefile.CaseReadout], Any],
    save: Callable[[Any], object],
    page: Page,
) -> Response | str:
    """GET shows the form filled from `current(case)`; a valid POST calls `save(form)`."""
    case = case_for_change(case_id, group)
    form = form_from(form_class, current(case))
    if form.validate_on_submit():
        try:
            save(form)
        except casefile.InvalidInput as error:
            refuse(form, error)
            return render_template(
                "record/edit.html", form=form, case=case, page=page, action=request.path
            )
        except casefile.StaleEdit:
            fresh = casefile.read_case(*door(), case_id)
            form = form_class(formdata=None, obj=current(fresh))
            form.form_errors.append(stale_message())
            return render_template(
                "record/edit.html", form=form, case=fresh, page=page, action=request.path
            )
        return back_to_case(case_id, page.done, page.anchor)
    return render_template("record/edit.html", form=form, case=case, page=page, action=request.path)


def found(items: Any, item_id: uuid.UUID) -> Any:
    """The item with `item_id` among those the caller may see, or a 404."""
    for item in items:
        if item.id == item_id:
            return item
    abort(404)
