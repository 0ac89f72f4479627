from __future__ import annotations

import uuid
from types import SimpleNamespace

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from casework import casefile, clock
from casework.access.permissions import FieldGroup
from casework.forms.cases import BreakGlassForm, IdentityForm, OpenCaseForm
from casework.locales import LANGUAGES, childs_language, is_language
from casework.views.common import door, fresh_auth_required, refuse
from casework.views.editing import form_from, new_child
from casework.views.errors import stale_message

bp = Blueprint("cases", __name__, url_prefix="/cases")


@bp.get("/")
def my_cases() -> str:
    cases = casefile.my_cases(*door())
    marks = casefile.my_case_marks(*door(), [c.id for c in cases])
    new_count = sum("new" in m for m in marks.values())
    return render_template("cases/my_cases.html", cases=cases, marks=marks, new_count=new_count)


@bp.get("/overview")
def overview() -> str:
    rows = casefile.region_overview(*door())
    return render_template("cases/overview.html", rows=rows)


@bp.route("/new", methods=["GET", "POST"])
def open_case() -> Response | str:
    casefile.ensure_may_open_case(*door())
    form = OpenCaseForm()
    if form.validate_on_submit():
        child = new_child(form)
        if not form.not_a_duplicate.data:
            duplicates = casefile.possible_duplicates(*door(), child)
            if duplicates is not None and duplicates.hits:
                return render_template("cases/new.html", form=form, result=duplicates)
        prefix = current_app.config["CASEWORK"].case_reference_prefix
        try:
            case_id = casefile.open_case(*door(), child, prefix=prefix)
        except casefile.InvalidInput as error:
            refuse(form, error)
        else:
            flash(_("The case is open. You lead its support team."), "info")
            return redirect(url_for("cases.show", case_id=case_id))
    return render_template("cases/new.html", form=form)


@bp.get("/<uuid:case_id>")
def show(case_id: uuid.UUID) -> str:
    case = casefile.read_case(*door(), case_id)
    return render_template("cases/show.html", case=case)


@bp.get("/<uuid:case_id>/links")
def links(case_id: uuid.UUID) -> str:
    """Cases linked to this one as being about the same child (references only)."""
    readout = casefile.case_links(*door(), case_id)
    return render_template("cases/links.html", case=readout)


@bp.route("/<uuid:case_id>/identity", methods=["GET", "POST"])
def edit_identity(case_id: uuid.UUID) -> Response | str:
    casefile.ensure_may_write(*door(), case_id, FieldGroup.IDENTITY)
    case = casefile.read_case(*door(), case_id)
    if case.identity is None:  # the policy lets this role write identity it cannot read
        abort(403)
    form = form_from(IdentityForm, _identity_values(case))
    if form.validate_on_submit():
        change = casefile.IdentityChange(
            given_name=form.given_name.data,
            family_name=form.family_name.data,
            date_of_birth=form.date_of_birth.data,
            sex=form.sex.data,
            aliases=tuple(form.aliases.data or ()),
            nationalities=tuple(form.nationalities.data or ()),
            languages=tuple(form.languages.data or ()),
        )
        try:
            casefile.update_identity(*door(), case_id, change, form.version.data)
        except casefile.StaleEdit:
            return _stale_identity(case_id)
        flash(_("The child's identity is saved."), "info")
        return redirect(url_for("cases.show", case_id=case_id))
    return render_template("cases/identity.html", form=form, case=case)


@bp.route("/emergency-access", methods=["GET", "POST"])
@fresh_auth_required
def break_glass() -> Response | str:
    casefile.ensure_may_break_glass(*door())
    form = BreakGlassForm()
    if form.validate_on_submit():
        try:
            case_id = casefile.open_break_glass(*door(), form.reference.data, form.reason.data)
        except casefile.CaseNotFound:
            form.reference.errors.append(_("There is no case with this reference."))
        else:
            return redirect(url_for("cases.show", case_id=case_id))
    return render_template("cases/break_glass.html", form=form)


def _stale_identity(case_id: uuid.UUID) -> str:
    """Show the other person's saved version instead of overwriting it."""
    fresh = casefile.read_case(*door(), case_id)
    form = IdentityForm(formdata=None, obj=_identity_values(fresh))
    form.form_errors.append(stale_message())
    return render_template("cases/identity.html", form=form, case=fresh)


def _identity_values(case: casefile.CaseReadout) -> SimpleNamespace:
    """The names with the aliases, nationalities and languages, for the identity form."""
    record = case.details.record
    return SimpleNamespace(
        **vars(case.identity),
        aliases=list(record.aliases) if record else [],
        nationalities=list(record.nationalities) if record else [],
        languages=list(record.languages) if record else [],
    )


@bp.get("/<uuid:case_id>/for-the-child")
def for_the_child(case_id: uuid.UUID) -> str:
    """A printable summary for the child, in the child's language: who is on the team,
    the help offered and what the child said, and the child's rights. An audited read of
    the case, holding only what the reader may see."""
    case = casefile.read_case(*door(), case_id)
    if case.erased or case.merged_into is not None:
        abort(404)
    # The record's languages for those who read it; else the languages minimal identity
    # shows (an interpreter's).
    spoken: tuple[str, ...] = case.details.record.languages if case.details.record else ()
    minimal = case.identity.minimal_languages if case.identity else None
    if not spoken and isinstance(minimal, tuple):
        spoken = minimal
    asked = request.args.get("language", "")
    language = asked if is_language(asked) else childs_language(spoken, str(get_locale()))
    with force_locale(language):
        return render_template(
            "cases/for_the_child.html",
            case=case,
            language=language,
            spoken=spoken,
            languages=LANGUAGES,
            today=clock.today(),
        )
