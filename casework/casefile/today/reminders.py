"""Running the reminder rules: `casework reminders run`, from cron or a systemd timer.

Each rule looks at every case that is not closed or erased and, when it holds, gives
the case's lead a task due on the date it is about (the reflection period's end, a
review date ...) or leaves a mark for the region's coordinators. Every task and mark
carries a key (a hash of the rule, the thing it is about and the date), unique in the
database: a second run, or two runs at once, create nothing twice. On PostgreSQL only
one run proceeds at a time (a session advisory lock, tried, not waited for); on SQLite a
file lock beside the database does the same.

Each firing commits on its own, with its audit event (actor "reminders"), its history
entry and its notification, so a run stopped half-way leaves nothing half-done and the
next run picks up the rest.
"""

from __future__ import annotations

import fcntl
import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from casework import clock
from casework.audit.events import Action, Actor, record
from casework.casefile.support.plan import OPEN_STATUSES
from casework.casefile.support.reoffers import reoffers
from casework.casefile.today.notify import REMINDER, case_leads, notify
from casework.casefile.today.rules import Rule
from casework.casefile.work import keep_history
from casework.clock import utcnow
from casework.crypto.aead import FieldIntegrityError
from casework.models.case import Case, CaseStatus
from casework.models.identity import Guardian
from casework.models.migration import MigrationStatus
from casework.models.referral import Referral, ReferralState
from casework.models.reminder import ReminderMark
from casework.models.support import SupportMeasure
from casework.models.task import CaseTask

RUNNER = Actor(username="reminders", role="system")
# An arbitrary constant naming the reminder run's lock among advisory locks.
REMINDERS_LOCK_KEY = 0x0CA5E_7D1A5
# Titles of the tasks rules create: English, encrypted like every task's title; pages
# show the rule's translated label instead.
TITLES = {
    "reflection_period_ends": "The reflection period ends",
    "support_plan_review": "A support measure is due for review",
    "reoffer_due": "Offer declined help again",
    "guardian_appointment_ends": "The guardian's appointment ends",
    "turns_18": "The child turns 18: plan the move to adult services",
}


@dataclass
class RunResult:
    ran: bool = True
    tasks: dict[str, int] = field(default_factory=dict)
    marks: dict[str, int] = field(default_factory=dict)
    resolved: int = 0
    skipped: int = 0  # cases whose record could not be read (logged by the field)

    @property
    def created(self) -> int:
        return sum(self.tasks.values()) + sum(self.marks.values())


@dataclass(frozen=True)
class Firing:
    rule: str
    case: Case
    subject: str  # what the rule is about: a case, a measure, a guardian, a referral
    due_on: date

    @property
    def key(self) -> str:
        raw = f"{self.rule}|{self.subject}|{self.due_on.isoformat()}"
        return hashlib.sha256(raw.encode()).hexdigest()


@contextmanager
def one_run(engine: Engine, lock_dir: Path, key: int = REMINDERS_LOCK_KEY) -> Iterator[bool]:
    """Yields True when this process holds the lock, False when another run does."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            got = bool(
                connection.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            )
            connection.commit()
            try:
                yield got
            finally:
                if got:
                    connection.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    connection.commit()
        return
    lock_dir.mkdir(parents=True, exist_ok=True)
    with (lock_dir / f"casework-{key:x}.lock").open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_rules(session: Session, rules: dict[str, Rule]) -> RunResult:
    """Evaluate every enabled rule once (the caller holds `one_run`)."""
    result = RunResult()
    day = clock.today()
    cases = list(
        session.scalars(
            select(Case).where(Case.status.not_in([CaseStatus.CLOSED, CaseStatus.ERASED]))
        )
    )
    live = {c.id: c for c in cases}
    firings: list[Firing] = []
    for case in cases:
        try:
            firings += _case_firings(session, case, rules, day)
        except FieldIntegrityError:
            result.skipped += 1
    firings += _measure_firings(session, live, rules, day)
    firings += _reoffer_firings(session, live, rules, day)
    marks = _referral_firings(session, live, rules, day) + _no_lead_firings(
        session, cases, rules, day
    )
    for firing in firings:
        if _make_task(session, firing):
            result.tasks[firing.rule] = result.tasks.get(firing.rule, 0) + 1
    for firing in marks:
        if _make_mark(session, firing):
            result.marks[firing.rule] = result.marks.get(firing.rule, 0) + 1
    result.resolved = _resolve_marks(session, {f.key for f in marks})
    record(session, Action.REMINDERS_RUN, RUNNER)
    session.commit()
    return result


def _within(rule: Rule | None, due_on: date, day: date) -> bool:
    return (
        rule is not None and rule.enabled and due_on - timedelta(days=rule.amount) <= day <= due_on
    )


def _case_firings(session: Session, case: Case, rules: dict[str, Rule], day: date) -> list[Firing]:
    found: list[Firing] = []
    status = session.scalar(select(MigrationStatus).where(MigrationStatus.case_id == case.id))
    end = status.reflection_end if status is not None else None
    if end is not None and _within(rules.get("reflection_period_ends"), end, day):
        found.append(Firing("reflection_period_ends", case, case.id.hex, end))
    for guardian in session.scalars(select(Guardian).where(Guardian.case_id == case.id)):
        ends = guardian.ended_on
        if ends is not None and _within(rules.get("guardian_appointment_ends"), ends, day):
            found.append(Firing("guardian_appointment_ends", case, guardian.id.hex, ends))
    born = case.child.date_of_birth if case.child is not None else None
    if born is not None:
        adult = _birthday(born, 18)
        if _within(rules.get("turns_18"), adult, day):
            found.append(Firing("turns_18", case, case.id.hex, adult))
    return found


def _birthday(born: date, years: int) -> date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # born on 29 February
        return born.replace(year=born.year + years, day=28)


def _measure_firings(
    session: Session, live: dict[uuid.UUID, Case], rules: dict[str, Rule], day: date
) -> list[Firing]:
    rule = rules.get("support_plan_review")
    measures = session.scalars(
        select(SupportMeasure).where(
            SupportMeasure.case_id.in_(list(live)),
            SupportMeasure.status.in_(list(OPEN_STATUSES)),
            SupportMeasure.review_on.is_not(None),
        )
    )
    return [
        Firing("support_plan_review", live[m.case_id], m.id.hex, m.review_on)
        for m in measures
        if m.review_on is not None and _within_or_overdue(rule, m.review_on, day)
    ]


def _within_or_overdue(rule: Rule | None, due_on: date, day: date) -> bool:
    """A review or re-offer stays due until done: an overdue one still gets its task."""
    return rule is not None and rule.enabled and due_on - timedelta(days=rule.amount) <= day


def _reoffer_firings(
    session: Session, live: dict[uuid.UUID, Case], rules: dict[str, Rule], day: date
) -> list[Firing]:
    rule = rules.get("reoffer_due")
    return [
        Firing("reoffer_due", live[case_id], f"{case_id.hex}:{r.measure_type}", r.due_on)
        for case_id, found in reoffers(session, list(live)).items()
        for r in found
        if _within_or_overdue(rule, r.due_on, day)
    ]


def working_days_between(start: date, end: date) -> int:
    """Monday-to-Friday days after `start` up to and including `end`."""
    days = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days += 1
    return days


def _referral_firings(
    session: Session, live: dict[uuid.UUID, Case], rules: dict[str, Rule], day: date
) -> list[Firing]:
    rule = rules.get("referral_waiting")
    if rule is None or not rule.enabled:
        return []
    pending = session.scalars(
        select(Referral).where(
            Referral.case_id.in_(list(live)), Referral.state == ReferralState.PENDING
        )
    )
    found = []
    for referral in pending:
        sent = clock.local(referral.created_at).date()
        if working_days_between(sent, day) >= rule.amount:
            found.append(Firing("referral_waiting", live[referral.case_id], referral.id.hex, sent))
    return found


def _no_lead_firings(
    session: Session, cases: list[Case], rules: dict[str, Rule], day: date
) -> list[Firing]:
    rule = rules.get("no_lead")
    if rule is None or not rule.enabled:
        return []
    found = []
    for case in cases:
        opened = clock.local(case.created_at).date()
        if (day - opened).days < rule.amount:
            continue
        if case.status == CaseStatus.IDENTIFIED or not case_leads(session, case.id):
            found.append(Firing("no_lead", case, case.id.hex, opened))
    return found


def _exists(session: Session, model: Any, column: Any, key: str) -> bool:
    return session.scalar(select(model.id).where(column == key)) is not None


def _make_task(session: Session, firing: Firing) -> bool:
    if _exists(session, CaseTask, CaseTask.rule_key, firing.key):
        return False
    leads = case_leads(session, firing.case.id)
    if not leads:
        return False  # the no_lead mark asks the coordinators for a lead first
    try:
        task = CaseTask(
            firing.case,
            title=TITLES[firing.rule],
            assignee_id=leads[0],
            due_on=firing.due_on,
            rule=firing.rule,
            rule_key=firing.key,
        )
        session.add(task)
        keep_history(
            session,
            firing.case,
            RUNNER.username,
            "tasks",
            {"record": "case_task"},
            "create",
            {"rule": firing.rule, "due_on": firing.due_on},
        )
        notify(session, REMINDER.code, firing.case, leads[:1], key=firing.key)
        record(session, Action.TASK_CREATE, RUNNER, case_ref=firing.case.reference)
        session.commit()
    except IntegrityError:  # another run made it a moment ago
        session.rollback()
        return False
    return True


def _make_mark(session: Session, firing: Firing) -> bool:
    if _exists(session, ReminderMark, ReminderMark.key, firing.key):
        return False
    try:
        session.add(
            ReminderMark(
                case_id=firing.case.id, rule=firing.rule, due_on=firing.due_on, key=firing.key
            )
        )
        session.commit()
    except IntegrityError:
        session.rollback()
        return False
    return True


def _resolve_marks(session: Session, holding: set[str]) -> int:
    """Marks whose rule no longer holds (the referral was decided, a lead found) end."""
    resolved = 0
    for mark in session.scalars(select(ReminderMark).where(ReminderMark.resolved_at.is_(None))):
        if mark.key not in holding:
            mark.resolved_at = utcnow()
            resolved += 1
    return resolved
