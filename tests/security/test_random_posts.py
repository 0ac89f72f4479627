"""Random values posted to every form as every role: never a server error, and a post
that is refused leaves the database as it was (a digest of every table's content, less
what a request touches by design: the audit log, which records refusals on purpose,
sessions and "seen" marks).

A first sweep posts a few hostile payloads to every POST route as every role; then
hypothesis draws routes, roles and values at random."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework import casefile, clock
from casework.audit.events import Actor
from casework.casefile.support.membership import add_member
from casework.models import AuditEvent, CaseFlag, TeamMembership
from tests.conftest import csrf_token, login, new_client
from tests.digest import changed_tables, table_digests
from tests.factories import make_organisation, make_user, open_case
from tests.records import caller_of

ROLES = ("social_worker", "police", "prosecutor", "ngo_worker", "coordinator",
         "health_professional", "guardian", "legal_counsel", "interpreter", "auditor",
         "analyst", "admin")  # fmt: skip
# Roles on the case's team, with the actor type each joins as.
MEMBERS = (("police", "police"), ("prosecutor", "prosecutor"), ("ngo_worker", "ngo"),
           ("health_professional", "health"), ("guardian", "guardian"),
           ("legal_counsel", "legal_counsel"), ("interpreter", "interpreter"))  # fmt: skip
# Signing out, in or again, and enrolment links change the browser's state, not a case.
SKIPPED = frozenset(
    {"auth.logout", "auth.login", "auth.second_factor", "auth.enrol", "auth.reauth",
     "auth.change_password", "auth.keepalive", "static"}
)  # fmt: skip
FIELDS = (
    "version", "reason", "note", "text", "resolution", "kind", "confirmed", "given_name",
    "family_name", "date_of_birth", "sex", "aliases", "nationalities", "languages",
    "identified_on", "jurisdiction", "actor_type", "context", "indicators",
    "exploitation_types", "ict_facilitated", "recruitment_method", "narrative", "reference",
    "suspects", "evidence_notes", "stage", "decided_on", "decision_maker", "outcome",
    "assistance_unconditional", "number", "issuing_country", "expires_on", "check", "status",
    "method", "assessor", "assessed_on", "age_min", "age_max", "name", "appointing_authority",
    "appointed_on", "ended_on", "address", "since", "care_situation", "residence_status",
    "origin_countries", "transit_countries", "reflection_country", "reflection_start",
    "reflection_end", "measure_type", "provider", "starts_on", "ends_on", "review_on",
    "details", "clinical_notes", "heard_on", "language", "informed_format", "views",
    "perceives_benefit", "engagement", "trusted_adult", "to_organisation", "consent",
    "members", "user", "role_in_team", "offence", "link", "rationale", "departure_reasons",
    "override_reason", "clear_record", "correction_reason", "lead", "not_a_duplicate",
    "username", "display_name", "role", "organisation", "confirm_reference", "code",
    "profession", "decision",
)  # fmt: skip
HOSTILE = [
    "",
    str(2**64),
    "-9" + "9" * 30,
    "2026-02-30\r\n\x00\x1b[31m<script>\u202e",
    "x" * 6000,
]
# Pages that show what was done (a new enrolment link) instead of redirecting.
RESULT_PAGES = frozenset({"admin.new_user", "admin.reset_second_factor"})


@dataclass
class World:
    urls: list[tuple[str, str]]
    clients: dict[str, FlaskClient]
    tokens: dict[str, str]


def _ids(app: Flask, db_session: Session) -> tuple[dict[str, Any], dict[str, FlaskClient]]:
    """A case with one record of each kind, a member of every role, and their browsers."""
    yesterday = clock.today() - timedelta(days=1)
    users = {
        role: make_user(
            username=f"r-{role}",
            role=role,
            profession="health" if role == "health_professional" else None,
        )
        for role in ROLES
    }
    lead = users["social_worker"]
    outsider = make_user(username="r-target")
    provider = make_organisation(ngo=True)
    with app.app_context():
        case_id = open_case(db_session, lead)
        for role, actor_type in MEMBERS:
            add_member(db_session, Actor(), case_id, users[role], actor_type,
                       starts_on=yesterday)  # fmt: skip
        police, social = caller_of(users["police"]), caller_of(lead)
        entry = casefile.add_consideration(
            db_session, police, case_id,
            casefile.ConsiderationInput("theft", "arrest", "no", "r", yesterday, "NRM"),
        )  # fmt: skip
        measure = casefile.add_measure(
            db_session, social, case_id,
            casefile.MeasureInput("legal", provider.id, "planned", yesterday, None, None, "d"),
        )  # fmt: skip
        referral = casefile.refer(
            db_session, social, case_id, casefile.NewReferral(provider.id, "Needs", "child")
        )
        casefile.raise_flag(db_session, social, case_id, "safety_risk", "Seen nearby.")
        decision = casefile.record_decision(
            db_session, police, case_id,
            casefile.DecisionChange("presumed", "Police", yesterday, "positive", True),
        )  # fmt: skip
    flag = db_session.scalars(select(CaseFlag.id)).first()
    membership = db_session.scalars(
        select(TeamMembership.id).where(TeamMembership.user_id == users["ngo_worker"].id)
    ).first()
    ids = {"case_id": case_id, "entry_id": entry, "measure_id": measure,
           "referral_id": referral, "membership_id": membership, "user_id": outsider.id,
           "item_id": flag, "token": "no-such-link", "grant_id": uuid.uuid4()}  # fmt: skip
    ids["decision"] = decision
    with app.app_context():
        # A second case of the same lead: the other side of a merge.
        ids["other_id"] = open_case(db_session, lead)
    # No task or episode exists: their forms are posted to ids that name nothing.
    ids["task_id"], ids["episode_id"] = uuid.uuid4(), uuid.uuid4()
    # Nor does an approval: deciding one is posted to an id that names nothing.
    ids["approval_id"] = uuid.uuid4()
    clients = {}
    for role in ROLES:
        clients[role] = new_client(app)
        login(clients[role], f"r-{role}")
    return ids, clients


def _urls(app: Flask, ids: dict[str, Any]) -> list[tuple[str, str]]:
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint in SKIPPED or "POST" not in (rule.methods or set()):
                continue
            values = {name: ids[name] for name in rule.arguments}
            if rule.endpoint == "identification.decision_edit":
                values["item_id"] = ids["decision"]
            urls.append((rule.endpoint, url_for(rule.endpoint, **values)))
    return urls


@pytest.fixture
def world(app: Flask, db_session: Session) -> World:
    ids, clients = _ids(app, db_session)
    tokens = {role: csrf_token(client.get("/cases/").text) for role, client in clients.items()
              if role not in ("auditor", "admin", "analyst")}  # fmt: skip
    tokens["analyst"] = csrf_token(clients["analyst"].get("/statistics/").text)
    tokens["auditor"] = csrf_token(clients["auditor"].get("/audit/").text)
    tokens["admin"] = csrf_token(clients["admin"].get("/admin/users").text)
    return World(_urls(app, ids), clients, tokens)


# Events that record a read or a refusal, not a change.
READS = frozenset({"case.read", "case.list", "audit.read", "search", "export", "access.denied"})


def _changes_logged(db_session: Session) -> int:
    """Allowed events that record a change."""
    return int(
        db_session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.outcome == "allowed", AuditEvent.action.not_in(READS))
        )
        or 0
    )


def _post(
    db_session: Session, w: World, role: str, url: str, data: dict[str, str], endpoint: str = ""
) -> str:
    """'' if all is well; otherwise what went wrong."""
    before, logged = table_digests(db_session), _changes_logged(db_session)
    response = w.clients[role].post(url, data={**data, "csrf_token": w.tokens[role]})
    if response.status_code >= 500:
        return f"{role} {url}: {response.status_code}"
    changed = changed_tables(before, table_digests(db_session))
    # A change goes with a redirect (to the page of what was saved); anything else is a
    # refusal or a form shown again, and must have changed nothing, nor logged a change.
    if response.status_code not in (302, 303) and endpoint not in RESULT_PAGES:
        if changed:
            return f"{role} {url}: {response.status_code} changed {changed}"
        if _changes_logged(db_session) != logged:
            return f"{role} {url}: {response.status_code} logged a change"
    return ""


def test_hostile_values_to_every_form_as_every_role(db_session: Session, world: World) -> None:
    assert len(world.urls) >= 40
    problems = []
    for role in ROLES:
        for value in HOSTILE:
            for endpoint, url in world.urls:
                if endpoint.startswith("admin"):
                    continue  # below, once: they ask for a fresh sign-in first
                problem = _post(
                    db_session, world, role, url, dict.fromkeys(FIELDS, value), endpoint
                )
                if problem:
                    problems.append(problem)
    for role in ROLES:
        for endpoint, url in world.urls:
            if endpoint.startswith("admin"):
                hostile = dict.fromkeys(FIELDS, HOSTILE[1])
                problem = _post(db_session, world, role, url, hostile, endpoint)
                if problem:
                    problems.append(problem)
    assert problems == []


VALUES = st.one_of(
    st.text(max_size=40),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.sampled_from(["yes", "no", "unclear", "y", "drugs", "charge", "planned", "missing",
                     "safety_risk", "duplicate", "guardian", "lead", "member", "health",
                     "not_prosecuted", "prosecuted", "declines", "child", "EE", "1", "2"]),
)  # fmt: skip


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_random_values_to_random_forms(db_session: Session, world: World, data: Any) -> None:
    role = data.draw(st.sampled_from(ROLES))
    endpoint, url = data.draw(st.sampled_from(world.urls))
    fields = data.draw(st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=12))
    assert _post(db_session, world, role, url, fields, endpoint) == ""
