"""Support teams and referrals: coordinators and case leads assemble the team; team
members refer the case on; coordinators of the receiving region accept or decline."""

from __future__ import annotations

import uuid

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from casework import casefile, db
from casework.forms.support import (
    AcceptReferralForm,
    DeclineReferralForm,
    EndMembershipForm,
    ReferralForm,
    TeamMemberForm,
    options,
)
from casework.views.common import door, refuse

bp = Blueprint("teams", __name__)


def _render_team(
    case_id: uuid.UUID,
    form: TeamMemberForm | None = None,
    ending: tuple[uuid.UUID, EndMembershipForm] | None = None,
) -> str:
    page = casefile.team_page(*door(), case_id)
    form = form or TeamMemberForm(formdata=None)
    form.user.choices = options(((c.value, c.label) for c in page.candidates), blank=True)
    end_forms = {
        m.id: EndMembershipForm(formdata=None, prefix=f"end-{m.id.hex}")
        for m in page.members
        if m.active or m.ends_on is None
    }
    if ending is not None:
        end_forms[ending[0]] = ending[1]
    return render_template("teams/team.html", page=page, form=form, end_forms=end_forms)


@bp.route("/cases/<uuid:case_id>/team", methods=["GET", "POST"])
def team(case_id: uuid.UUID) -> Response | str:
    form = TeamMemberForm()
    form.user.choices = options([])
    if form.validate_on_submit():
        change = casefile.TeamChange(
            user_id=_uuid(form.user.data),
            actor_type=form.actor_type.data,
            role_in_team=form.role_in_team.data,
            starts_on=form.starts_on.data,
            ends_on=form.ends_on.data,
        )
        try:
            casefile.add_to_team(*door(), case_id, change)
        except casefile.InvalidInput as error:
            refuse(form, error)
        else:
            flash(_("The person is on the team. They see the case on their next visit."), "info")
            return redirect(url_for("teams.team", case_id=case_id))
    return _render_team(case_id, form if request.method == "POST" else None)


@bp.post("/cases/<uuid:case_id>/team/<uuid:membership_id>/end")
def end_membership(case_id: uuid.UUID, membership_id: uuid.UUID) -> Response | str:
    form = EndMembershipForm(prefix=f"end-{membership_id.hex}")
    if form.validate_on_submit():
        try:
            casefile.end_membership(*door(), case_id, membership_id, form.ends_on.data)
        except casefile.InvalidInput as error:
            refuse(form, error)
        else:
            flash(_("The membership ends on the date given; access ends with it."), "info")
            return redirect(url_for("teams.team", case_id=case_id))
    return _render_team(case_id, ending=(membership_id, form))


def _uuid(value: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return uuid.UUID(int=0)  # matches nothing; refused beside the field


@bp.route("/cases/<uuid:case_id>/referrals/new", methods=["GET", "POST"])
def new_referral(case_id: uuid.UUID) -> Response | str:
    reference = casefile.ensure_may_refer(*door(), case_id)
    form = ReferralForm()
    # Only possible choices: one's own organisation cannot receive one's referral.
    own = current_user.organisation_id
    form.to_organisation.choices = options(
        ((str(i), name) for i, name in casefile.organisations(db.session()) if i != own),
        blank=True,
    )
    if form.validate_on_submit():
        new = casefile.NewReferral(
            to_organisation_id=_uuid(form.to_organisation.data),
            reason=form.reason.data,
            consent=form.consent.data,
        )
        try:
            casefile.refer(*door(), case_id, new)
        except casefile.InvalidInput as error:
            refuse(form, error)
        else:
            flash(_("The referral is sent. You see the decision on the case page."), "info")
            return redirect(url_for("cases.show", case_id=case_id))
    return render_template(
        "teams/new_referral.html", form=form, case_id=case_id, reference=reference
    )


@bp.get("/referrals")
def referrals() -> str:
    rows = casefile.referral_inbox(*door())
    return render_template("teams/referrals.html", rows=rows)


@bp.route("/referrals/<uuid:referral_id>", methods=["GET", "POST"])
def referral(referral_id: uuid.UUID) -> Response | str:
    page = casefile.read_referral(*door(), referral_id)
    accept = AcceptReferralForm(prefix="accept")
    accept.members.choices = options((c.value, c.label) for c in page.candidates)
    decline = DeclineReferralForm(prefix="decline")
    decision = request.form.get("decision")
    try:
        if decision == "accept" and accept.validate_on_submit():
            ids = [_uuid(v) for v in accept.members.data]
            casefile.accept_referral(*door(), referral_id, ids)
            flash(_("The referral is accepted; the people chosen are on the team."), "info")
            return redirect(url_for("teams.referrals"))
        if decision == "decline" and decline.validate_on_submit():
            casefile.decline_referral(*door(), referral_id, decline.reason.data)
            flash(_("The referral is declined. The sender sees your reason."), "info")
            return redirect(url_for("teams.referrals"))
    except casefile.InvalidInput as error:
        refuse(accept if decision == "accept" else decline, error)
    return render_template("teams/referral.html", page=page, accept=accept, decline=decline)
