"""Demo data for the Today page: a child missing now, an earlier episode that ended,
tasks overdue and due this week, e-mail addresses for the demo users, and one run of the
reminder rules (a reflection period ending this week, a re-offer due, reviews due)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy.orm import Session

from casework import casefile, clock
from casework.audit.events import RequestContext
from casework.casefile import Caller
from casework.casefile.today.reminders import run_rules
from casework.casefile.today.rules import load_rules
from casework.models import NotificationSetting, User

# (case index, title, assignee, due in days from today; negative: overdue)
TASKS = [
    (1, "Ask the school for the attendance certificate", "socialworker", -2),
    (4, "Book a Latvian interpreter for the hearing", "socialworker", 3),
    (0, "Drop-in meeting: bring the bus card", "ngo", 1),
    (2, "Send the placement report to the guardian service", "socialworker", 9),
]


def _local_now() -> datetime:
    return clock.local(clock.utcnow()).replace(second=0, microsecond=0, tzinfo=None)


def seed_today(
    session: Session,
    users: dict[str, User],
    case_ids: list[uuid.UUID],
    today: date,
    context: RequestContext,
) -> None:
    social = Caller(user=users["socialworker"], context=context)
    now = _local_now()
    # An earlier episode of case 2: missing for two days, found, interviewed.
    earlier = now - timedelta(days=70)
    episode = casefile.report_missing(
        session,
        social,
        case_ids[2],
        casefile.MissingReport(
            last_seen_at=earlier,
            last_seen_where="Outside the school, Gdańsk",
            circumstances="Picked up by a car the staff did not know.",
            police_informed_at=earlier + timedelta(hours=3),
            police_reference="PL-DEMO-2026-0117",
        ),
    )
    interview = casefile.record_found(
        session,
        social,
        case_ids[2],
        episode,
        casefile.FoundReport(
            found_at=earlier + timedelta(days=2),
            found_where="A flat in Sopot",
            found_by="Police patrol",
        ),
        1,
    )
    casefile.close_task(session, social, case_ids[2], interview, 1)
    # Case 13: the child is missing now.
    casefile.report_missing(
        session,
        social,
        case_ids[13],
        casefile.MissingReport(
            last_seen_at=now - timedelta(days=1, hours=5),
            last_seen_where="Riga central bus station",
            circumstances="Did not return to the foster family; left with two older boys.",
            police_informed_at=now - timedelta(days=1, hours=2),
            police_reference="LV-DEMO-2026-0413",
        ),
    )
    for index, title, who, days in TASKS:
        casefile.add_task(
            session,
            social,
            case_ids[index],
            casefile.TaskInput(
                title=title, assignee_id=users[who].id, due_on=today + timedelta(days=days)
            ),
        )
    for username, user in users.items():
        session.add(
            NotificationSetting(user_id=user.id, email_address=f"{username}@casework.example")
        )
    session.commit()
    run_rules(session, load_rules(current_app.config["CASEWORK"].reminders_file))
