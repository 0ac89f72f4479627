"""Demo data for multi-professional support: referrals in every state, a support plan
with an overdue review, the child's views with a decline whose re-offer is due, and
non-punishment considerations before and after the assessment. Everything goes through
the casefile door, as a person's actions would."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy.orm import Session

from casework import casefile
from casework.audit.events import RequestContext
from casework.casefile import Caller
from casework.models import Organisation, User


def seed_support(
    session: Session,
    users: dict[str, User],
    orgs: list[Organisation],
    case_ids: list[uuid.UUID],
    today: date,
) -> None:
    context = RequestContext(request_id="demo-seed", client_addr="")
    as_ = {name: Caller(user=user, context=context) for name, user in users.items()}
    _plan(session, as_, orgs, case_ids[1], today)
    _referrals(session, as_, orgs, case_ids, today)
    _nonpunishment(session, as_, case_ids, today)
    # A case whose lead has handed it on: the coordinator's overview shows it needs a
    # lead. (A coordinator does not end an active lead's membership; the lead does.)
    team = casefile.team_page(session, as_["coordinator"], case_ids[29])
    lead = next(m for m in team.members if m.role_in_team == "lead")
    leaver = next(c for c in as_.values() if c.user.username == lead.username)
    casefile.end_membership(session, leaver, case_ids[29], lead.id, today)
    # Added today by the coordinator: the police officer sees it as new on My cases.
    casefile.add_to_team(
        session,
        as_["coordinator"],
        case_ids[14],
        casefile.TeamChange(users["police"].id, "police", "member", today, None),
    )


def _plan(
    session: Session,
    as_: dict[str, Caller],
    orgs: list[Organisation],
    case_id: uuid.UUID,
    today: date,
) -> None:
    social, ngo = orgs[1].id, orgs[2].id
    start = today - timedelta(days=50)
    measures = [
        ("accommodation", social, "active", today + timedelta(days=30), "Supported lodging."),
        ("psychological", ngo, "planned", today - timedelta(days=5), "Weekly sessions."),
        ("education", social, "active", None, "School place from next term."),
    ]
    ids = [
        casefile.add_measure(
            session,
            as_["socialworker"],
            case_id,
            casefile.MeasureInput(kind, provider, status, start, None, review, details),
        )
        for kind, provider, status, review, details in measures
    ]
    casefile.record_views(
        session,
        as_["ngo"],
        case_id,
        casefile.ViewsInput(
            heard_on=today - timedelta(days=40),
            language="Estonian",
            informed_format="interpreter",
            views="I want to stay where I am now. I do not want to talk to a doctor about it.",
            perceives_benefit="yes",
            engagement="Meet at the drop-in centre; same worker each time; no pressure.",
            trusted_adult="Her aunt in Tartu",
            responses=(
                casefile.Response(ids[0], "accepts", "Feels safe there."),
                casefile.Response(ids[1], "declines", "Afraid of what the others will say."),
                casefile.Response(ids[2], "ambivalent", ""),
            ),
        ),
    )


def _referrals(
    session: Session,
    as_: dict[str, Caller],
    orgs: list[Organisation],
    case_ids: list[uuid.UUID],
    today: date,
) -> None:
    ngo = orgs[2].id
    reason = "The child needs a safe place to talk and help to return to school."
    waiting = casefile.refer(
        session, as_["socialworker"], case_ids[15], casefile.NewReferral(ngo, reason, "guardian")
    )
    declined = casefile.refer(
        session, as_["socialworker"], case_ids[7], casefile.NewReferral(ngo, reason, "child")
    )
    casefile.decline_referral(
        session, as_["coordinator"], declined, "No place in the programme this month; ask again."
    )
    accepted = casefile.refer(
        session,
        as_["socialworker"],
        case_ids[11],
        casefile.NewReferral(ngo, reason, "child_and_guardian"),
    )
    casefile.accept_referral(session, as_["coordinator"], accepted, [as_["ngo"].user.id])
    del waiting  # left pending for the coordinator's list


def _nonpunishment(
    session: Session, as_: dict[str, Caller], case_ids: list[uuid.UUID], today: date
) -> None:
    # Before the assessment: the prosecutor's decision would be refused.
    casefile.add_consideration(
        session,
        as_["police"],
        case_ids[3],
        casefile.ConsiderationInput(
            "theft",
            "arrest",
            "unclear",
            "Picked up with others at a shop; a man waited outside.",
            None,
            "",
        ),
    )
    assessed = casefile.add_consideration(
        session,
        as_["prosecutor"],
        case_ids[7],
        casefile.ConsiderationInput(
            "drugs",
            "charge",
            "yes",
            "Carried parcels for the people who housed him.",
            today - timedelta(days=10),
            "National referral mechanism (demo)",
        ),
    )
    casefile.record_prosecution_decision(
        session,
        as_["prosecutor"],
        case_ids[7],
        assessed,
        casefile.DecisionInput(
            today - timedelta(days=3), "Paulina Prosecutor", "not_prosecuted", "", "", "requested"
        ),
        1,
    )
