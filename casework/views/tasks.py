"""Tasks of a case and missing-child episodes."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any

from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from casework import casefile
from casework.forms.today import CancelTaskForm, DoneTaskForm, FoundForm, MissingForm, TaskForm
from casework.views.common import door, refuse
from casework.views.editing import Page, back_to_case, form_from
from casework.views.errors import stale_message
from casework.views.language import wall_clock_for_reader, wall_clock_from_reader

bp = Blueprint("tasks", __name__, url_prefix="/cases/<uuid:case_id>")


def _page(form: FlaskForm, case_id: uuid.UUID, page: Page) -> str:
    """The form page; the case is read (and its reading recorded) only when shown."""
    case = casefile.read_case(*door(), case_id)
    return render_template("record/edit.html", form=form, case=case, page=page, action=request.path)


def _offer(form: TaskForm, case_id: uuid.UUID) -> None:
    form.offer((str(a.id), a.display_name) for a in casefile.assignees(*door(), case_id))


def _task_input(form: TaskForm) -> casefile.TaskInput:
    try:
        assignee = uuid.UUID(form.assignee.data)
    except (TypeError, ValueError):
        assignee = None
    return casefile.TaskInput(
        title=form.title.data or "",
        assignee_id=assignee,
        due_on=form.due_on.data,
        notes=form.notes.data or "",
    )


@bp.route("/tasks/new", methods=["GET", "POST"])
def new_task(case_id: uuid.UUID) -> Response | str:
    casefile.ensure_may_work_on(*door(), case_id)
    form = TaskForm()
    _offer(form, case_id)
    if form.validate_on_submit():
        try:
            casefile.add_task(*door(), case_id, _task_input(form))
        except casefile.InvalidInput as error:
            refuse(form, error)
        else:
            return back_to_case(case_id, _("The task is added."), "tasks")
    page = Page(title=_("Add a task"), submit=_("Add the task"), done="", anchor="tasks")
    return _page(form, case_id, page)


def _task_values(task: Any) -> dict[str, Any]:
    return {
        "title": task.title,
        "assignee": str(task.assignee_id),
        "due_on": task.due_on,
        "notes": task.notes,
        "version": task.version,
    }


@bp.route("/tasks/<uuid:task_id>", methods=["GET", "POST"])
def edit_task(case_id: uuid.UUID, task_id: uuid.UUID) -> Response | str:
    task = casefile.task_for_edit(*door(), case_id, task_id)
    if task.state != "open":
        return back_to_case(case_id, _("This task is closed; it no longer changes."), "tasks")
    form = form_from(TaskForm, _task_values(task))
    _offer(form, case_id)
    if form.validate_on_submit():
        try:
            casefile.update_task(*door(), case_id, task_id, _task_input(form), form.version.data)
        except casefile.InvalidInput as error:
            refuse(form, error)
        except casefile.StaleEdit:
            return back_to_case(case_id, stale_message(), "tasks")
        else:
            return back_to_case(case_id, _("The task is saved."), "tasks")
    page = Page(title=_("Change a task"), submit=_("Save the task"), done="", anchor="tasks")
    return _page(form, case_id, page)


@bp.post("/tasks/<uuid:task_id>/done")
def task_done(case_id: uuid.UUID, task_id: uuid.UUID) -> Response:
    casefile.ensure_may_work_on(*door(), case_id)
    form = DoneTaskForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        casefile.close_task(*door(), case_id, task_id, form.version.data)
    except casefile.StaleEdit:
        return back_to_case(case_id, stale_message(), "tasks")
    return back_to_case(case_id, _("The task is done."), "tasks")


@bp.route("/tasks/<uuid:task_id>/cancel", methods=["GET", "POST"])
def cancel_task(case_id: uuid.UUID, task_id: uuid.UUID) -> Response | str:
    task = casefile.task_for_edit(*door(), case_id, task_id)
    form = form_from(CancelTaskForm, {"version": task.version})
    if form.validate_on_submit():
        try:
            casefile.close_task(
                *door(), case_id, task_id, form.version.data, cancel_reason=form.reason.data
            )
        except casefile.InvalidInput as error:
            refuse(form, error)
        except casefile.StaleEdit:
            return back_to_case(case_id, stale_message(), "tasks")
        else:
            return back_to_case(case_id, _("The task is cancelled."), "tasks")
    page = Page(
        title=_("Cancel a task"),
        submit=_("Cancel the task"),
        done="",
        anchor="tasks",
        intro=task.title if isinstance(task.title, str) else None,
    )
    return _page(form, case_id, page)


def _report(form: MissingForm) -> casefile.MissingReport:
    return casefile.MissingReport(
        last_seen_at=wall_clock_from_reader(form.last_seen_at.data),
        last_seen_where=form.last_seen_where.data or "",
        circumstances=form.circumstances.data or "",
        police_informed_at=wall_clock_from_reader(form.police_informed_at.data),
        police_reference=form.police_reference.data or "",
    )


@bp.route("/missing/new", methods=["GET", "POST"])
def report_missing(case_id: uuid.UUID) -> Response | str:
    casefile.ensure_may_work_on(*door(), case_id)
    form = MissingForm()
    if form.validate_on_submit():
        try:
            casefile.report_missing(*door(), case_id, _report(form))
        except casefile.InvalidInput as error:
            refuse(form, error)
        except casefile.StaleEdit:
            return back_to_case(
                case_id, _("Someone else recorded the child missing meanwhile."), "missing"
            )
        else:
            return back_to_case(
                case_id, _("The child is recorded missing. The whole team is told now."), "missing"
            )
    page = Page(
        title=_("Record that the child is missing"),
        submit=_("Record the child missing"),
        done="",
        anchor="missing",
        intro=_(
            "Inform the police first if they do not know yet. "
            "Everyone on the team is notified at once."
        ),
    )
    return _page(form, case_id, page)


@bp.route("/missing/<uuid:episode_id>", methods=["GET", "POST"])
def edit_missing(case_id: uuid.UUID, episode_id: uuid.UUID) -> Response | str:
    episode = casefile.episode_for_edit(*door(), case_id, episode_id)
    form = form_from(
        MissingForm,
        replace(
            episode,
            last_seen_at=wall_clock_for_reader(episode.last_seen_at),
            police_informed_at=(
                None
                if episode.police_informed_at is None
                else wall_clock_for_reader(episode.police_informed_at)
            ),
        ),
    )
    if form.validate_on_submit():
        try:
            casefile.update_missing(*door(), case_id, episode_id, _report(form), form.version.data)
        except casefile.InvalidInput as error:
            refuse(form, error)
        except casefile.StaleEdit:
            return back_to_case(case_id, stale_message(), "missing")
        else:
            return back_to_case(case_id, _("The missing episode is saved."), "missing")
    page = Page(title=_("Change the missing episode"), submit=_("Save"), done="", anchor="missing")
    return _page(form, case_id, page)


@bp.route("/missing/<uuid:episode_id>/found", methods=["GET", "POST"])
def record_found(case_id: uuid.UUID, episode_id: uuid.UUID) -> Response | str:
    episode = casefile.episode_for_edit(*door(), case_id, episode_id, details=False)
    form = form_from(FoundForm, {"version": episode.version})
    if form.validate_on_submit():
        try:
            casefile.record_found(
                *door(),
                case_id,
                episode_id,
                casefile.FoundReport(
                    found_at=wall_clock_from_reader(form.found_at.data),
                    found_where=form.found_where.data or "",
                    found_by=form.found_by.data or "",
                ),
                form.version.data,
            )
        except casefile.InvalidInput as error:
            refuse(form, error)
        except casefile.StaleEdit:
            return back_to_case(
                case_id, _("Someone else recorded this episode's end meanwhile."), "missing"
            )
        else:
            return back_to_case(
                case_id,
                _("The child is recorded found. A return interview is due within 72 hours."),
                "missing",
            )
    page = Page(
        title=_("Record that the child was found"),
        submit=_("Record the child found"),
        done="",
        anchor="missing",
    )
    return _page(form, case_id, page)
