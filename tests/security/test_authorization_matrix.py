"""The authorization matrix: every route x every role x {team member, not a member,
break-glass}, with the expected status and no field of an unreadable group in the HTML.

Routes come from the app's URL map, so a new route without an expectation here fails.
The expectations are written out by hand from DOMAIN.md's table, not derived from the
policy file, so that a change to either shows up as a failure to look at.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework import clock
from casework.audit.events import Actor
from casework.casefile.support.membership import add_member
from casework.clock import utcnow
from casework.models import Case, User
from casework.models.breakglass import BreakGlassGrant
from tests.conftest import csrf_token, login, new_client
from tests.factories import make_user, open_case
from tests.security.record_scenario import (
    ADDRESS,
    DOCUMENT_NUMBER,
    GUARDIAN_NAME,
    INVESTIGATION,
    NARRATIVE,
    Records,
    add_records,
    record_payload,
    record_url,
)

ROLES = [
    "social_worker",
    "police",
    "prosecutor",
    "ngo_worker",
    "coordinator",
    "health_professional",
    "guardian",
    "legal_counsel",
    "interpreter",
    "auditor",
    "admin",
    "analyst",
]
MEMBERSHIPS = ["member", "none", "breakglass"]

READERS = {
    "social_worker",
    "police",
    "prosecutor",
    "ngo_worker",
    "coordinator",
    "health_professional",
    "guardian",
    "legal_counsel",
    "interpreter",
}
CREATORS = {"social_worker", "police"}
IDENTITY_WRITERS = {"social_worker", "police"}
FULL_IDENTITY = {
    "social_worker",
    "police",
    "prosecutor",
    "health_professional",
    "guardian",
    "legal_counsel",
}
MINIMAL_IDENTITY = {"ngo_worker", "coordinator", "interpreter"}
# Guardians, legal counsel and interpreters do not break glass: a grant made for them
# anyway must not let them in.
BREAKERS = {"social_worker", "police", "prosecutor", "ngo_worker", "coordinator"} | {
    "health_professional"
}
# Who sees the team on the case page (an interpreter does not).
TEAM_HIDDEN = {"interpreter"}
# Who sees no linked cases (no identification group): an interpreter.
LINKS_HIDDEN = {"interpreter"}
COORDINATORS = {"coordinator"}
ADMINS = {"admin"}
SEARCHERS = {"social_worker", "police", "prosecutor"}
AUDITORS = {"auditor"}
# Statistics: analysts nationally, coordinators for their region; no case content.
STATISTICIANS = {"coordinator", "analyst"}
# The child's record, by field group (DOMAIN.md, "Who sees what").
IDENTIFICATION_WRITERS = {"police"}
IDENTIFICATION_READERS = {"social_worker", "police", "prosecutor", "legal_counsel"}
INVESTIGATION_WRITERS = {"police", "prosecutor"}
MIGRATION_WRITERS = {"social_worker"}
LOCATION_WRITERS = {"social_worker"}
LOCATION_READERS = {"social_worker", "police", "guardian"}
# Police open a case by recording an identification; every team member but the
# coordinator raises and resolves flags.
INTAKERS = {"police"}
FLAGGERS = {
    "social_worker",
    "police",
    "prosecutor",
    "ngo_worker",
    "health_professional",
    "guardian",
}
# Support (DOMAIN.md): coordinators assemble teams of their region's cases (the matrix
# case is led in the matrix user's region); team members of the sending organisation refer;
# the support plan and the child's views are written by social workers and NGOs;
# non-punishment by police and prosecutors, and only prosecutors decide.
TEAM_ASSIGNERS = {"coordinator"}
REFERRERS = {"social_worker", "police", "ngo_worker", "health_professional"}
PLAN_WRITERS = {"social_worker", "ngo_worker", "health_professional"}
VIEWS_WRITERS = {"social_worker", "ngo_worker", "guardian"}
NP_WRITERS = {"police", "prosecutor"}
DECIDERS = {"prosecutor"}
# Tasks and missing-child episodes: every team member whose role changes cases; where a
# child was last seen and the police reference, only those who read the location.
WORKERS = {
    "social_worker",
    "police",
    "prosecutor",
    "ngo_worker",
    "health_professional",
    "guardian",
}
# An id no record has: routes to one record answer 404 to those who pass every check.
UNKNOWN = uuid.UUID("00000000-0000-4000-8000-00000000abcd")

GIVEN = "Jõgevamaa"
FAMILY = "Østergaard-Kalniņa"


@dataclass(frozen=True)
class Scenario:
    role: str
    membership: str
    case_id: uuid.UUID
    reference: str
    lead_id: uuid.UUID
    organisation_id: uuid.UUID
    records: Records

    @property
    def reaches(self) -> bool:
        if self.membership == "breakglass":
            return self.role in BREAKERS
        return self.role in READERS and self.membership == "member"


def _case_page(s: Scenario) -> int:
    return 200 if s.reaches else 404


def _links_page(s: Scenario) -> int:
    """Which cases are the same child's is identification: a role without that group
    (an interpreter) is refused the page of a case it reaches."""
    if s.reaches and s.role in LINKS_HIDDEN:
        return 403
    return _case_page(s)


def _edit(success: int, writers: set[str] = IDENTITY_WRITERS) -> Callable[[Scenario], int]:
    def expect(s: Scenario) -> int:
        if not s.reaches:
            return 404
        if s.membership == "breakglass" or s.role not in writers:
            return 403
        return success

    return expect


def _lead_only(s: Scenario) -> int:
    """Lifecycle steps: the matrix user is never the case lead."""
    return 403 if s.reaches else 404


def _team(success: int) -> Callable[[Scenario], int]:
    """Coordinators of the case's region, member or not; a plain member may not."""

    def expect(s: Scenario) -> int:
        if s.role in TEAM_ASSIGNERS:
            return success
        return 403 if s.reaches else 404

    return expect


def _episode_details(s: Scenario) -> int:
    """Changing an episode's details: workers who read the location reach the (unknown)
    episode, other workers are refused first."""
    if not s.reaches:
        return 404
    if s.membership == "breakglass" or s.role not in WORKERS:
        return 403
    return 404 if s.role in LOCATION_READERS else 403


def _by_role(allowed: set[str], yes: int, no: int) -> Callable[[Scenario], int]:
    return lambda s: yes if s.role in allowed else no


# (endpoint, method) -> expected status for a scenario. Order matters only in that the
# walk below runs changes after reads, changes to the case before break-glass (which
# gives a non-member read-only access from then on), and signs out last.
EXPECTATIONS: dict[tuple[str, str], Callable[[Scenario], int]] = {
    ("static", "GET"): lambda s: 200,
    ("main.health", "GET"): lambda s: 200,
    ("main.favicon", "GET"): lambda s: 200,
    ("main.ready", "GET"): lambda s: 200,
    ("main.index", "GET"): _by_role(READERS | STATISTICIANS, 302, 200),
    ("auth.login", "GET"): lambda s: 302,
    ("cases.my_cases", "GET"): _by_role(READERS, 200, 403),
    ("cases.overview", "GET"): _by_role(COORDINATORS, 200, 403),
    ("cases.open_case", "GET"): _by_role(CREATORS, 200, 403),
    ("cases.show", "GET"): _case_page,
    ("cases.links", "GET"): _links_page,
    ("cases.for_the_child", "GET"): _case_page,
    ("cases.edit_identity", "GET"): _edit(200),
    ("cases.break_glass", "GET"): _by_role(BREAKERS, 200, 403),
    ("identification.intake", "GET"): _by_role(INTAKERS, 200, 403),
    ("identification.record_new", "GET"): _edit(200, IDENTIFICATION_WRITERS),
    ("identification.edit", "GET"): _edit(200, IDENTIFICATION_WRITERS),
    ("identification.investigation", "GET"): _edit(200, INVESTIGATION_WRITERS),
    ("identification.decision_new", "GET"): _edit(200, IDENTIFICATION_WRITERS),
    ("identification.decision_edit", "GET"): _edit(200, IDENTIFICATION_WRITERS),
    ("record.document_new", "GET"): _edit(200),
    ("record.age", "GET"): _edit(200),
    ("record.guardian_new", "GET"): _edit(200),
    ("record.guardian_edit", "GET"): _edit(200),
    ("record.placement", "GET"): _edit(200, LOCATION_WRITERS),
    ("record.migration", "GET"): _edit(200, MIGRATION_WRITERS),
    ("lifecycle.close", "GET"): _lead_only,
    ("lifecycle.reopen", "GET"): _lead_only,
    ("lifecycle.raise_flag", "GET"): _edit(200, FLAGGERS),
    ("lifecycle.resolve_flag", "GET"): _edit(200, FLAGGERS),
    ("cases.edit_identity", "POST"): _edit(302),
    ("identification.intake", "POST"): _by_role(INTAKERS, 302, 403),
    ("identification.record_new", "POST"): _edit(302, IDENTIFICATION_WRITERS),
    ("identification.edit", "POST"): _edit(302, IDENTIFICATION_WRITERS),
    ("identification.investigation", "POST"): _edit(302, INVESTIGATION_WRITERS),
    ("identification.decision_new", "POST"): _edit(302, IDENTIFICATION_WRITERS),
    ("identification.decision_edit", "POST"): _edit(302, IDENTIFICATION_WRITERS),
    ("record.document_new", "POST"): _edit(302),
    ("record.document_remove", "POST"): _edit(302),
    ("record.age", "POST"): _edit(302),
    ("record.guardian_new", "POST"): _edit(302),
    ("record.guardian_edit", "POST"): _edit(302),
    ("record.placement", "POST"): _edit(302, LOCATION_WRITERS),
    ("record.migration", "POST"): _edit(302, MIGRATION_WRITERS),
    ("lifecycle.raise_flag", "POST"): _edit(302, FLAGGERS),
    ("lifecycle.resolve_flag", "POST"): _edit(302, FLAGGERS),
    # Merging needs the lead of a linked case; the walk names a case that is not linked.
    ("merging.merge", "GET"): _lead_only,
    ("merging.merge", "POST"): _lead_only,
    # Possible same child: a list for every reader (empty here); no item has this id.
    ("duplicates.items", "GET"): _by_role(READERS, 200, 403),
    ("duplicates.link", "POST"): _by_role(READERS, 404, 403),
    ("duplicates.dismiss", "POST"): _by_role(READERS, 404, 403),
    ("lifecycle.take_on", "POST"): _lead_only,
    ("lifecycle.activate", "POST"): _lead_only,
    ("lifecycle.close", "POST"): _lead_only,
    ("lifecycle.reopen", "POST"): _lead_only,
    # Support routes come before break-glass is opened below.
    ("teams.team", "GET"): _team(200),
    ("teams.team", "POST"): _team(200),
    ("teams.end_membership", "POST"): _team(404),
    ("teams.new_referral", "GET"): _edit(200, REFERRERS),
    ("teams.new_referral", "POST"): _edit(200, REFERRERS),
    ("teams.referrals", "GET"): _by_role(COORDINATORS, 200, 403),
    ("teams.referral", "GET"): _by_role(COORDINATORS, 404, 403),
    ("teams.referral", "POST"): _by_role(COORDINATORS, 404, 403),
    ("support.new_measure", "GET"): _edit(200, PLAN_WRITERS),
    ("support.new_measure", "POST"): _edit(200, PLAN_WRITERS),
    ("support.edit_measure", "GET"): _edit(404, PLAN_WRITERS),
    ("support.edit_measure", "POST"): _edit(404, PLAN_WRITERS),
    ("support.new_views", "GET"): _edit(200, VIEWS_WRITERS),
    ("support.new_views", "POST"): _edit(200, VIEWS_WRITERS),
    ("nonpunishment.new_consideration", "GET"): _edit(200, NP_WRITERS),
    ("nonpunishment.new_consideration", "POST"): _edit(200, NP_WRITERS),
    ("nonpunishment.edit_consideration", "GET"): _edit(404, NP_WRITERS),
    ("nonpunishment.edit_consideration", "POST"): _edit(404, NP_WRITERS),
    ("nonpunishment.correct", "GET"): _edit(404, NP_WRITERS),
    ("nonpunishment.correct", "POST"): _edit(404, NP_WRITERS),
    ("nonpunishment.decide", "GET"): _edit(404, DECIDERS),
    ("nonpunishment.decide", "POST"): _edit(404, DECIDERS),
    # Tasks and missing episodes (unknown ids: 404 once every check has passed).
    ("today.today", "GET"): _by_role(READERS, 200, 403),
    ("today.notifications", "GET"): lambda s: 200,
    ("today.mark_read", "POST"): lambda s: 302,
    ("today.settings", "GET"): lambda s: 200,
    ("today.settings", "POST"): lambda s: 302,
    ("tasks.new_task", "GET"): _edit(200, WORKERS),
    ("tasks.new_task", "POST"): _edit(302, WORKERS),
    ("tasks.edit_task", "GET"): _edit(404, WORKERS),
    ("tasks.edit_task", "POST"): _edit(404, WORKERS),
    ("tasks.task_done", "POST"): _edit(404, WORKERS),
    ("tasks.cancel_task", "GET"): _edit(404, WORKERS),
    ("tasks.cancel_task", "POST"): _edit(404, WORKERS),
    ("tasks.report_missing", "GET"): _edit(200, WORKERS),
    ("tasks.report_missing", "POST"): _edit(302, WORKERS),
    ("tasks.edit_missing", "GET"): _episode_details,
    ("tasks.edit_missing", "POST"): _episode_details,
    ("tasks.record_found", "GET"): _edit(404, WORKERS),
    ("tasks.record_found", "POST"): _edit(404, WORKERS),
    ("cases.open_case", "POST"): _by_role(CREATORS, 302, 403),
    ("cases.break_glass", "POST"): _by_role(BREAKERS, 302, 403),
    ("auth.login", "POST"): lambda s: 302,
    ("auth.second_factor", "GET"): lambda s: 302,
    ("auth.second_factor", "POST"): lambda s: 302,
    ("auth.reauth", "GET"): lambda s: 200,
    ("auth.change_password", "GET"): lambda s: 200,
    ("auth.keepalive", "POST"): lambda s: 204,
    ("admin.users", "GET"): _by_role(ADMINS, 200, 403),
    ("admin.new_user", "GET"): _by_role(ADMINS, 200, 403),
    ("admin.edit_user", "GET"): _by_role(ADMINS, 200, 403),
    ("admin.new_user", "POST"): _by_role(ADMINS, 200, 403),
    ("admin.edit_user", "POST"): _by_role(ADMINS, 302, 403),
    ("admin.unlock", "POST"): _by_role(ADMINS, 302, 403),
    ("admin.deactivate", "POST"): _by_role(ADMINS, 302, 403),
    ("admin.activate", "POST"): _by_role(ADMINS, 302, 403),
    ("admin.reset_second_factor", "POST"): _by_role(ADMINS, 200, 403),
    ("admin.profession", "POST"): _by_role(ADMINS, 302, 403),
    ("admin.approvals", "GET"): _by_role(ADMINS, 200, 403),
    # No such request: 404 for an administrator, 403 for anyone else.
    ("admin.decide", "POST"): _by_role(ADMINS, 404, 403),
    # A wrong password here counts as a failed sign-in; it comes after the rest.
    # The audit log: auditors only, who see no case content; a case's own access log
    # is for its lead, which the walking user never is.
    ("audit.events", "GET"): _by_role(AUDITORS, 200, 403),
    ("audit.breakglass", "GET"): _by_role(AUDITORS, 200, 403),
    ("audit.breakglass_queue", "GET"): _by_role(AUDITORS, 200, 403),
    # No such use: not found for auditors (audited), refused to everyone else.
    ("audit.review_breakglass", "GET"): _by_role(AUDITORS, 404, 403),
    ("audit.review_breakglass", "POST"): _by_role(AUDITORS, 404, 403),
    ("audit.chain", "GET"): _by_role(AUDITORS, 200, 403),
    ("audit.export", "GET"): _by_role(AUDITORS, 200, 403),
    ("audit.verify", "POST"): _by_role(AUDITORS, 302, 403),
    ("case_access.access_log", "GET"): lambda s: 404,
    ("statistics.page", "GET"): _by_role(STATISTICIANS, 200, 403),
    ("statistics.export", "GET"): _by_role(STATISTICIANS, 200, 403),
    # Search: roles that read identity in full (DOMAIN.md), among their own teams' cases.
    ("search.search", "GET"): _by_role(SEARCHERS, 200, 403),
    # A search is kept with the session and shown on the results page (post/redirect/get).
    ("search.search", "POST"): _by_role(SEARCHERS, 302, 403),
    ("search.results", "GET"): _by_role(SEARCHERS, 200, 403),
    # Everyone's own language and time zone; the switcher works signed in or not.
    ("language.switch", "POST"): lambda s: 302,
    ("language.preferences", "GET"): lambda s: 200,
    ("language.preferences", "POST"): lambda s: 302,
    # Erasure: administrators only, who see the reference and nothing else; the walk's
    # confirmation carries a wrong password, so the case is never erased here.
    ("admin_erase.start", "GET"): _by_role(ADMINS, 200, 403),
    ("admin_erase.start", "POST"): _by_role(ADMINS, 200, 403),
    ("admin_erase.confirm", "POST"): _by_role(ADMINS, 200, 403),
    ("auth.reauth", "POST"): lambda s: 200,
    ("auth.change_password", "POST"): lambda s: 200,
    ("auth.logout", "POST"): lambda s: 302,
    # Opening an enrolment link signs the browser out first; this one does not exist.
    ("auth.enrol", "GET"): lambda s: 410,
    # Signing out voided the form token this walk holds: refused before anything else.
    ("auth.enrol", "POST"): lambda s: 400,
}

# Pages on which the child's names may appear, and for which roles.
NAME_PAGES = {
    ("cases.show", "GET"),
    ("cases.edit_identity", "GET"),
    ("cases.for_the_child", "GET"),
}


def _url(endpoint: str, s: Scenario, app: Flask) -> str:
    with app.test_request_context():
        from flask import url_for

        if endpoint == "static":
            return url_for("static", filename="css/casework.css")
        if endpoint in (
            "cases.show",
            "cases.links",
            "cases.for_the_child",
            "cases.edit_identity",
            "case_access.access_log",
        ):
            return url_for(endpoint, case_id=s.case_id)
        if endpoint == "teams.referral":
            return url_for(endpoint, referral_id=UNKNOWN)
        if endpoint == "audit.review_breakglass":
            return url_for(endpoint, grant_id=UNKNOWN)
        if endpoint in ("duplicates.link", "duplicates.dismiss"):
            return url_for(endpoint, item_id=UNKNOWN)
        if endpoint == "merging.merge":
            return url_for(endpoint, case_id=s.case_id, other_id=UNKNOWN)
        if endpoint.startswith(("teams.", "support.", "nonpunishment.", "tasks.")) and endpoint != (
            "teams.referrals"
        ):
            ids = {
                "membership_id": UNKNOWN,
                "measure_id": UNKNOWN,
                "entry_id": UNKNOWN,
                "task_id": UNKNOWN,
                "episode_id": UNKNOWN,
            }
            rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
            # url_for takes `**values: Any` after keyword-only options (_external, ...)
            # that a dict[str, UUID] could, as far as mypy knows, collide with.
            values: dict[str, Any] = {k: ids[k] for k in rule.arguments & set(ids)}
            return url_for(endpoint, case_id=s.case_id, **values)
        if endpoint == "admin.decide":
            return url_for(endpoint, approval_id=UNKNOWN)
        if endpoint.startswith("admin.") and endpoint not in (
            "admin.users",
            "admin.new_user",
            "admin.approvals",
        ):
            return url_for(endpoint, user_id=s.lead_id)
        if endpoint == "auth.enrol":
            return url_for(endpoint, token="no-such-link")
        if endpoint == "statistics.export":
            return url_for(endpoint, fmt="csv")
        if endpoint.split(".")[0] in ("identification", "record", "lifecycle"):
            return record_url(endpoint, s.case_id, s.records)
        return url_for(endpoint)


def _payload(endpoint: str, s: Scenario, version: int, db_session: Session) -> dict[str, str]:
    if endpoint.split(".")[0] in ("identification", "record", "lifecycle"):
        return record_payload(endpoint, s.case_id, s.records, db_session)
    if endpoint == "cases.edit_identity":
        return {
            "given_name": GIVEN,
            "family_name": FAMILY + "-B",
            "date_of_birth": "2012-01-01",
            "sex": "female",
            "version": str(version),
        }
    if endpoint == "cases.open_case":
        # Confirmed as not a duplicate: police may have opened a "Mart Tamm" by intake.
        return {"given_name": "Mart", "family_name": "Tamm", "sex": "male", "not_a_duplicate": "y"}
    if endpoint == "search.search":
        return {"name": GIVEN}
    if endpoint == "language.switch":
        return {"language": "en", "next": "/"}
    if endpoint == "language.preferences":
        return {"language": "", "time_zone": ""}
    if endpoint.startswith("duplicates."):
        return {"version": "1"}
    if endpoint == "merging.merge":
        return {"survivor": str(s.case_id), "confirm": "y"}
    if endpoint == "admin_erase.start":
        return {"reference": s.reference, "reason": "duplicate"}
    if endpoint == "admin_erase.confirm":
        return {
            "reference": s.reference,
            "reason": "duplicate",
            "confirm_reference": s.reference,
            "password": "not the admin password",
        }
    if endpoint == "cases.break_glass":
        return {
            "reference": s.reference,
            "reason": "Emergency: the child is missing and police need the placement.",
        }
    if endpoint == "tasks.new_task":
        user = db_session.scalars(select(User).where(User.username == "matrix")).one()
        return {
            "title": "Ring the school",
            "assignee": str(user.id),
            "due_on": clock.today().isoformat(),
        }
    if endpoint == "tasks.report_missing":
        return {"last_seen_at": "2026-01-02T10:00", "last_seen_where": ADDRESS}
    if endpoint == "tasks.task_done":
        return {"version": "1"}
    if endpoint == "teams.end_membership":
        return {f"end-{UNKNOWN.hex}-ends_on": clock.today().isoformat()}
    if endpoint == "auth.login":
        return {"username": "matrix", "password": "irrelevant-for-a-signed-in-user"}
    if endpoint == "auth.reauth":
        return {"password": "not the password", "code": "000000"}
    if endpoint == "auth.change_password":
        return {"current": "not the password", "password": "x", "confirm": "y"}
    if endpoint == "admin.new_user":
        return {
            "username": "newcomer",
            "display_name": "New Comer",
            "role": "police",
            "organisation": str(s.organisation_id),
        }
    if endpoint == "admin.edit_user":
        return {"role": "police", "organisation": str(s.organisation_id)}
    if endpoint == "admin.profession":
        return {"profession": "health"}
    if endpoint == "admin.decide":
        return {"decision": "approve"}
    return {}


def test_every_route_has_an_expectation(app: Flask) -> None:
    routes = {
        (rule.endpoint, method)
        for rule in app.url_map.iter_rules()
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert routes == set(EXPECTATIONS), (
        f"missing: {sorted(routes - set(EXPECTATIONS))}, "
        f"stale: {sorted(set(EXPECTATIONS) - routes)}"
    )


def _scenario(app: Flask, db_session: Session, role: str, membership: str) -> Scenario:
    lead = make_user(username="lead")
    user = make_user(username="matrix", role=role)
    with app.app_context():
        case_id = open_case(db_session, lead, given_name=GIVEN, family_name=FAMILY)
        if membership == "member":
            add_member(
                db_session,
                Actor(username="test"),
                case_id,
                user,
                "ngo",
                starts_on=clock.today() - timedelta(days=1),
            )
        records = add_records(app, db_session, case_id, lead)
        case = db_session.get_one(Case, case_id)
        if membership == "breakglass":
            # Made directly, so that roles which may not break glass hold a grant too:
            # it must not let them in.
            now = utcnow()
            db_session.add(
                BreakGlassGrant(
                    case,
                    "A stated emergency reason for the test.",
                    user_id=user.id,
                    opened_at=now,
                    expires_at=now + timedelta(hours=1),
                )
            )
            db_session.commit()
    return Scenario(
        role=role,
        membership=membership,
        case_id=case_id,
        reference=case.reference,
        lead_id=lead.id,
        organisation_id=lead.organisation_id,
        records=records,
    )


# Texts of the child's record: who may see each (by hand from DOMAIN.md), and where.
MARKERS = [
    (NARRATIVE, IDENTIFICATION_READERS, {"cases.show", "identification.edit"}),
    (INVESTIGATION, INVESTIGATION_WRITERS, {"cases.show", "identification.investigation"}),
    (ADDRESS, LOCATION_READERS, {"cases.show", "record.placement"}),
    (GUARDIAN_NAME, FULL_IDENTITY, {"cases.show", "record.guardian_edit", "cases.for_the_child"}),
    (DOCUMENT_NUMBER, FULL_IDENTITY, {"cases.show"}),
]


def _check_names(endpoint: str, method: str, s: Scenario, html: str) -> list[str]:
    problems = [
        f"{endpoint} {method}: {marker[:20]} shown to {s.role}"
        for marker, roles, pages in MARKERS
        if marker in html and not (endpoint in pages and method == "GET" and s.role in roles)
    ]
    may_show = (endpoint, method) in NAME_PAGES
    if (endpoint, method) == ("search.results", "GET"):
        # The typed name is shown back in the form; a hit, with the family name, only for
        # cases on the searcher's team (break-glass does not make a case searchable).
        return problems + (
            [f"search: family name shown to {s.role} / {s.membership}"]
            if FAMILY in html and not (s.membership == "member" and s.role in SEARCHERS)
            else []
        )
    if FAMILY in html and not (may_show and s.role in FULL_IDENTITY):
        problems.append(f"{endpoint} {method}: family name shown to {s.role}")
    if GIVEN in html and not (may_show and s.role in FULL_IDENTITY | MINIMAL_IDENTITY):
        problems.append(f"{endpoint} {method}: given name shown to {s.role}")
    if s.role in TEAM_HIDDEN and ("Lead Example" in html or "Support team" in html):
        problems.append(f"{endpoint} {method}: the team shown to {s.role}")
    return problems


@pytest.mark.parametrize("membership", MEMBERSHIPS)
@pytest.mark.parametrize("role", ROLES)
def test_authorization_matrix(app: Flask, db_session: Session, role: str, membership: str) -> None:
    s = _scenario(app, db_session, role, membership)
    _last_seq["seq"] = _head(db_session)
    client: FlaskClient = new_client(app)
    assert login(client, "matrix").status_code == 302
    token = csrf_token(client.get("/login", follow_redirects=True).text)
    problems: list[str] = []
    for (endpoint, method), expect in EXPECTATIONS.items():
        url = _url(endpoint, s, app)
        if method == "GET":
            response = client.get(url)
        else:
            with app.app_context():
                db_session.expire_all()
                version = db_session.get_one(Case, s.case_id).child.version
            data = {**_payload(endpoint, s, version, db_session), "csrf_token": token}
            response = client.post(url, data=data)
        expected = expect(s)
        if response.status_code != expected:
            problems.append(f"{endpoint} {method}: {response.status_code}, expected {expected}")
        if response.mimetype == "text/html":
            problems += _check_names(endpoint, method, s, response.text)
        problems += _check_audit(db_session, endpoint, method, s, url, response.status_code)
    assert problems == [], f"{role} / {membership}:\n" + "\n".join(problems)


_last_seq: dict[str, int] = {}


def _head(db_session: Session) -> int:
    from sqlalchemy import func

    from casework.models import AuditEvent

    return db_session.scalar(select(func.max(AuditEvent.seq))) or 0


def _check_audit(
    db_session: Session, endpoint: str, method: str, s: Scenario, url: str, status: int
) -> list[str]:
    """Every request that touches the case leaves its audit event: an allowed read or
    change names the case, a refusal is recorded as denied. No event holds a name."""
    from casework.models import AuditEvent

    db_session.expire_all()
    since = _last_seq.get("seq", 0)
    events = list(db_session.scalars(select(AuditEvent).where(AuditEvent.seq > since)))
    _last_seq["seq"] = max([since, *(e.seq for e in events)])
    where = f"{endpoint} {method}"
    problems = [
        f"{where}: a name in the audit log"
        for e in events
        if any(n in str(v) for n in (GIVEN, FAMILY) for v in vars(e).values())
    ]
    if str(s.case_id) not in url:
        return problems
    if status in (403, 404) and not any(e.outcome == "denied" for e in events):
        problems.append(f"{where}: refused ({status}) without a denial in the audit log")
    if status == 200 and not any(
        e.case_ref == s.reference and e.outcome == "allowed" for e in events
    ):
        problems.append(f"{where}: shown without an audit event naming the case")
    return problems


# --- nobody grants access to themselves ------------------------------------------------


@pytest.mark.parametrize("as_lead", [False, True], ids=["in-region", "lead"])
@pytest.mark.parametrize("role", ROLES)
def test_no_role_adds_itself_to_a_team(
    app: Flask, db_session: Session, role: str, as_lead: bool
) -> None:
    """Every role, in the region of the case (where coordinators manage teams) or as its
    lead, posting itself with every actor type and team role: never a new membership."""
    from casework.models import TeamMembership

    lead = make_user(username="lead")
    user = make_user(username="matrix", role=role, profession="health")
    with app.app_context():
        case_id = open_case(db_session, lead)
    if as_lead:
        from tests.factories import add_member as put_on_team

        put_on_team(db_session, case_id, user, "lead")
    client = new_client(app)
    assert login(client, "matrix").status_code == 302
    before = db_session.scalar(
        select(func.count()).select_from(TeamMembership).where(TeamMembership.user_id == user.id)
    )
    token = csrf_token(client.get("/login", follow_redirects=True).text)
    statuses = set()
    for actor_type in ("health", "social_services", "police"):
        for role_in_team in ("member", "lead"):
            response = client.post(
                f"/cases/{case_id}/team",
                data={
                    "user": str(user.id),
                    "actor_type": actor_type,
                    "role_in_team": role_in_team,
                    "starts_on": clock.today().isoformat(),
                    "csrf_token": token,
                },
            )
            statuses.add(response.status_code)
    db_session.expire_all()
    after = db_session.scalar(
        select(func.count()).select_from(TeamMembership).where(TeamMembership.user_id == user.id)
    )
    assert after == before
    assert statuses <= {403, 404}


@pytest.mark.parametrize("role", [r for r in ROLES if r in READERS])
@pytest.mark.parametrize("profession", [None, "health", "child_psychiatry"])
def test_clinical_actor_types_follow_the_profession(
    app: Flask, db_session: Session, role: str, profession: str | None
) -> None:
    """A coordinator adds a person of each role as health and as child psychiatry: only
    a recorded profession of that name lets them in as that actor type (and a
    coordinator, whose way to a case is break-glass, never)."""
    from casework.access.permissions import Permission
    from casework.access.policy import current_policy
    from casework.models import TeamMembership

    lead = make_user(username="lead")
    make_user(username="kārlis", coordinator=True)
    person = make_user(username="person", role=role, profession=profession)
    with app.app_context():
        case_id = open_case(db_session, lead)
    client = new_client(app)
    assert login(client, "kārlis").status_code == 302
    token = csrf_token(client.get(f"/cases/{case_id}/team").text)
    added = []
    for actor_type in ("health", "child_psychiatry"):
        response = client.post(
            f"/cases/{case_id}/team",
            data={
                "user": str(person.id),
                "actor_type": actor_type,
                "role_in_team": "member",
                "starts_on": clock.today().isoformat(),
                "csrf_token": token,
            },
        )
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            added.append(actor_type)
    db_session.expire_all()
    rows = db_session.scalars(select(TeamMembership).where(TeamMembership.user_id == person.id))
    assert [m.actor_type for m in rows] == added
    with app.app_context():
        coordinator = current_policy().allows(role, Permission.CASE_OVERVIEW)
    assert added == ([profession] if profession and not coordinator else [])
