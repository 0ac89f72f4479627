"""Pages for the child's record: identity documents, age assessment, guardians,
placement and migration status."""

from __future__ import annotations

import uuid
from typing import Any

from flask import Blueprint, abort
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework import casefile
from casework.access.permissions import FieldGroup
from casework.forms.child import AgeForm, DocumentForm, GuardianForm, PlacementForm
from casework.forms.lifecycle import StepForm
from casework.forms.migration import MigrationForm
from casework.views.common import door
from casework.views.display import TEMPLATE_GLOBALS
from casework.views.editing import Page, back_to_case, case_for_change, edit_page, found

bp = Blueprint("record", __name__, url_prefix="/cases/<uuid:case_id>")
for _name, _function in TEMPLATE_GLOBALS.items():
    bp.add_app_template_global(_function, _name)

IDENTITY = FieldGroup.IDENTITY


def _record(case: casefile.CaseReadout) -> Any:
    if case.details.record is None:  # the policy lets this role write what it cannot read
        abort(403)
    return case.details.record


@bp.route("/documents/new", methods=["GET", "POST"])
def document_new(case_id: uuid.UUID) -> Response | str:
    page = Page(
        title=_("Add an identity document"),
        submit=_("Add the document"),
        done=_("The document is recorded."),
        anchor="identity-title",
    )
    return edit_page(
        case_id,
        IDENTITY,
        DocumentForm,
        lambda case: _record(case) and None,
        lambda form: casefile.add_document(
            *door(),
            case_id,
            casefile.DocumentChange(
                kind=form.kind.data,
                number=form.number.data,
                issuing_country=form.issuing_country.data or None,
                expires_on=form.expires_on.data,
                check=form.check.data,
            ),
        ),
        page,
    )


@bp.post("/documents/<uuid:item_id>/remove")
def document_remove(case_id: uuid.UUID, item_id: uuid.UUID) -> Response:
    case = case_for_change(case_id, IDENTITY)
    found(_record(case).documents, item_id)
    form = StepForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        casefile.remove_document(*door(), case_id, item_id, form.version.data)
    except casefile.StaleEdit:
        return back_to_case(
            case_id, _("Someone else changed this document; nothing was removed."), "identity-title"
        )
    return back_to_case(case_id, _("The document is removed."), "identity-title")


@bp.route("/age", methods=["GET", "POST"])
def age(case_id: uuid.UUID) -> Response | str:
    page = Page(
        title=_("The child's age"),
        submit=_("Save"),
        done=_("The age assessment is saved."),
        anchor="identity-title",
        intro=_(
            "While the age is uncertain the child is presumed to be a child and is "
            "protected and helped as a child at once."
        ),
    )
    return edit_page(
        case_id,
        IDENTITY,
        AgeForm,
        lambda case: _record(case).age,
        lambda form: casefile.save_age_assessment(
            *door(),
            case_id,
            casefile.AgeChange(
                status=form.status.data,
                method=form.method.data or None,
                assessor=form.assessor.data,
                assessed_on=form.assessed_on.data,
                age_min=form.age_min.data,
                age_max=form.age_max.data,
            ),
            form.version.data,
        ),
        page,
    )


def _guardian_change(form: Any) -> casefile.GuardianChange:
    return casefile.GuardianChange(
        kind=form.kind.data,
        name=form.name.data,
        appointing_authority=form.appointing_authority.data,
        appointed_on=form.appointed_on.data,
        reason=form.reason.data,
        ended_on=form.ended_on.data,
    )


@bp.route("/guardians/new", methods=["GET", "POST"])
def guardian_new(case_id: uuid.UUID) -> Response | str:
    page = Page(
        title=_("Add a guardian or representative"),
        submit=_("Add"),
        done=_("The guardian or representative is recorded."),
        anchor="guardians-title",
    )
    return edit_page(
        case_id,
        IDENTITY,
        GuardianForm,
        lambda case: _record(case) and None,
        lambda form: casefile.save_guardian(*door(), case_id, _guardian_change(form)),
        page,
    )


@bp.route("/guardians/<uuid:item_id>", methods=["GET", "POST"])
def guardian_edit(case_id: uuid.UUID, item_id: uuid.UUID) -> Response | str:
    page = Page(
        title=_("Change a guardian or representative"),
        submit=_("Save"),
        done=_("The guardian or representative is saved."),
        anchor="guardians-title",
    )
    return edit_page(
        case_id,
        IDENTITY,
        GuardianForm,
        lambda case: found(_record(case).guardians, item_id),
        lambda form: casefile.save_guardian(
            *door(),
            case_id,
            _guardian_change(form),
            guardian_id=item_id,
            expected_version=form.version.data,
        ),
        page,
    )


@bp.route("/placement", methods=["GET", "POST"])
def placement(case_id: uuid.UUID) -> Response | str:
    page = Page(
        title=_("Where the child lives"),
        submit=_("Save"),
        done=_("The placement is saved."),
        anchor="placement-title",
    )
    return edit_page(
        case_id,
        FieldGroup.LOCATION,
        PlacementForm,
        lambda case: case.details.placement,
        lambda form: casefile.save_placement(
            *door(),
            case_id,
            casefile.PlacementChange(
                kind=form.kind.data, address=form.address.data, since=form.since.data
            ),
            form.version.data,
        ),
        page,
    )


@bp.route("/migration", methods=["GET", "POST"])
def migration(case_id: uuid.UUID) -> Response | str:
    page = Page(
        title=_("Migration status"),
        submit=_("Save"),
        done=_("The migration status is saved."),
        anchor="migration-title",
    )
    return edit_page(
        case_id,
        FieldGroup.MIGRATION,
        MigrationForm,
        lambda case: case.details.migration,
        lambda form: casefile.save_migration(
            *door(),
            case_id,
            casefile.MigrationChange(
                care_situation=form.care_situation.data,
                residence_status=form.residence_status.data,
                origin_countries=tuple(form.origin_countries.data or ()),
                transit_countries=tuple(form.transit_countries.data or ()),
                reflection_country=form.reflection_country.data or None,
                reflection_start=form.reflection_start.data,
                reflection_end=form.reflection_end.data,
            ),
            form.version.data,
        ),
        page,
    )
