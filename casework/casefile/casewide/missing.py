"""Missing-child episodes. Any team member records that the child is missing: when and
where last seen, the circumstances, whether and when police were informed and their
report reference. Recording it raises the automatic "missing" flag and notifies the whole
team at once; recording that the child was found resolves the flag and gives the case
lead a return-interview task due within RETURN_INTERVIEW_HOURS. A case cannot be closed
while the child is missing (`closing_blockers`).

A case has one open episode at most: the partial unique index on missing_episode makes a
second, recorded at the same moment by someone else, a lost race (StaleEdit).
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.errors import InvalidInput, StaleEdit
from casework.access.permissions import FieldGroup, Permission
from casework.access.policy import AccessLevel, current_policy
from casework.audit.events import Action
from casework.casefile.casewide.flags import MISSING, raise_automatic, resolve_automatic
from casework.casefile.readouts import EpisodeReadout, MissingSummary
from casework.casefile.today.notify import (
    CHILD_FOUND,
    CHILD_MISSING,
    SEES_FLAGS,
    notify,
    team_user_ids,
)
from casework.casefile.work import Work, changing
from casework.clock import utcnow
from casework.models.missing import MissingEpisode
from casework.models.task import CaseTask
from casework.models.team import TeamMembership, TeamRole

MISSING_GROUP = "missing"
PLACE_MAX = 500
TEXT_MAX = 4000
REFERENCE_MAX = 100
RETURN_INTERVIEW_HOURS = 72
RETURN_INTERVIEW = "return_interview"


@dataclass(frozen=True)
class MissingReport:
    last_seen_at: datetime | None
    last_seen_where: str = ""
    circumstances: str = ""
    police_informed_at: datetime | None = None
    police_reference: str = ""


@dataclass(frozen=True)
class FoundReport:
    found_at: datetime | None
    found_where: str = ""
    found_by: str = ""


def _now() -> datetime:
    """The wall clock in the configured time zone, to the minute, as people enter it."""
    return clock.local(clock.utcnow()).replace(second=0, microsecond=0, tzinfo=None)


def _text(value: str, field: str, limit: int) -> str | None:
    value = (value or "").strip()
    if len(value) > limit:
        raise InvalidInput(field, _l("Use at most %(max)d characters.", max=limit))
    return value or None


def _checked_report(report: MissingReport) -> dict[str, object]:
    now = _now()
    if report.last_seen_at is None:
        raise InvalidInput("last_seen_at", _l("Give the date and time the child was last seen."))
    if report.last_seen_at > now:
        raise InvalidInput(
            "last_seen_at", _l("The child cannot have been last seen in the future.")
        )
    informed = report.police_informed_at
    if informed is not None and not report.last_seen_at <= informed <= now:
        raise InvalidInput(
            "police_informed_at",
            _l("Police were informed after the child was last seen, and not in the future."),
        )
    reference = _text(report.police_reference, "police_reference", REFERENCE_MAX)
    if reference and informed is None:
        raise InvalidInput("police_informed_at", _l("Give when police were informed."))
    return {
        "last_seen_at": report.last_seen_at,
        "last_seen_where": _text(report.last_seen_where, "last_seen_where", PLACE_MAX),
        "circumstances": _text(report.circumstances, "circumstances", TEXT_MAX),
        "police_informed_at": informed,
        "police_reference": reference,
    }


def open_episode(session: Session, case_id: uuid.UUID) -> MissingEpisode | None:
    return session.scalar(
        select(MissingEpisode).where(
            MissingEpisode.case_id == case_id, MissingEpisode.found_recorded_at.is_(None)
        )
    )


def is_missing(session: Session, case_id: uuid.UUID) -> bool:
    """The child of the case is recorded missing now (an open episode)."""
    return open_episode(session, case_id) is not None


def missing_now(session: Session, case_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """Those of the cases whose child is recorded missing now, in one statement."""
    if not case_ids:
        return set()
    return set(
        session.scalars(
            select(MissingEpisode.case_id).where(
                MissingEpisode.case_id.in_(case_ids), MissingEpisode.found_recorded_at.is_(None)
            )
        )
    )


def closing_blockers(session: Session, case_id: uuid.UUID) -> list[str]:
    """What keeps the case from closing, as codes ("missing": the child is missing now)."""
    return ["missing"] if is_missing(session, case_id) else []


def report_missing(
    session: Session, caller: Caller, case_id: uuid.UUID, report: MissingReport
) -> uuid.UUID:
    """Record that the child is missing; the whole team (every role that sees missing
    episodes) is notified at once."""
    fields = _checked_report(report)
    with changing(session, caller, case_id, permission=Permission.CASE_UPDATE) as work:
        work.action = Action.MISSING_REPORT
        if open_episode(session, work.case.id) is not None:
            raise InvalidInput(
                "last_seen_at",
                _l("The child is already recorded as missing. Record that they were found first."),
            )
        episode = MissingEpisode(work.case, reported_by_id=caller.user.id, **fields)
        session.add(episode)
        work.history(MISSING_GROUP, {"record": "missing_episode"}, "create", fields)
        raise_automatic(work, MISSING)
        team = team_user_ids(session, work.case.id, seeing=SEES_FLAGS)
        notify(session, CHILD_MISSING.code, work.case, team, skip=caller.user.id)
    return episode.id


def _episode(work: Work, episode_id: uuid.UUID, expected_version: int | None) -> MissingEpisode:
    episode = work.record_of(MissingEpisode, episode_id)
    work.check_version(episode.version, expected_version)
    if not episode.is_open:
        raise StaleEdit(episode.version)
    return episode


def _values(episode: MissingEpisode) -> dict[str, object]:
    return {
        "record": "missing_episode",
        "last_seen_at": episode.last_seen_at,
        "last_seen_where": episode.last_seen_where,
        "circumstances": episode.circumstances,
        "police_informed_at": episode.police_informed_at,
        "police_reference": episode.police_reference,
    }


def _may_read_details(work: Work) -> None:
    """Where, circumstances and the police reference are for roles that read the
    location; others may record an episode and its end, not see or change the rest."""
    if current_policy().level(work.caller.role, FieldGroup.LOCATION) < AccessLevel.READ:
        raise work.refuse(FieldGroup.LOCATION, [FieldGroup.LOCATION])


def episode_for_edit(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    episode_id: uuid.UUID,
    *,
    details: bool = True,
) -> EpisodeReadout:
    """An episode for a form (with `details`, in full: for roles that read the location);
    refusals as for a change, audited, and an id from elsewhere as a missing case."""
    with changing(session, caller, case_id, permission=Permission.CASE_UPDATE) as work:
        if details:
            _may_read_details(work)
        readout = _readout(work.record_of(MissingEpisode, episode_id), details, _now())
        work.unchanged()
    return readout


def update_missing(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    episode_id: uuid.UUID,
    report: MissingReport,
    expected_version: int | None,
) -> None:
    """Correct or complete an open episode (police informed since, a report reference)."""
    fields = _checked_report(report)
    with changing(session, caller, case_id, permission=Permission.CASE_UPDATE) as work:
        work.action = Action.MISSING_UPDATE
        _may_read_details(work)
        episode = _episode(work, episode_id, expected_version)
        previous = _values(episode)
        if all(previous[k] == v for k, v in fields.items()):
            work.unchanged()
            return
        work.history(MISSING_GROUP, previous, "update", fields)
        for name, value in fields.items():
            setattr(episode, name, value)


def record_found(
    session: Session,
    caller: Caller,
    case_id: uuid.UUID,
    episode_id: uuid.UUID,
    found: FoundReport,
    expected_version: int | None,
) -> uuid.UUID:
    """End the episode: the flag is resolved, the team notified, and the lead (or, on a
    team without one, the person recording) gets a return-interview task. Returns its id."""
    with changing(session, caller, case_id, permission=Permission.CASE_UPDATE) as work:
        work.action = Action.MISSING_FOUND
        episode = _episode(work, episode_id, expected_version)
        if found.found_at is None:
            raise InvalidInput("found_at", _l("Give the date and time the child was found."))
        if not episode.last_seen_at <= found.found_at <= _now():
            raise InvalidInput(
                "found_at",
                _l("The child was found after they were last seen, and not in the future."),
            )
        where = _text(found.found_where, "found_where", PLACE_MAX)
        by = _text(found.found_by, "found_by", PLACE_MAX)
        work.history(
            MISSING_GROUP,
            _values(episode),
            "found",
            {"found_at": found.found_at, "found_where": where, "found_by": by},
        )
        episode.found_at, episode.found_where, episode.found_by = found.found_at, where, by
        episode.found_recorded_at = utcnow()
        episode.found_recorded_by_id = caller.user.id
        resolve_automatic(work, MISSING)
        task = _return_interview(work, episode, found.found_at)
        team = team_user_ids(session, work.case.id, seeing=SEES_FLAGS)
        notify(session, CHILD_FOUND.code, work.case, team, skip=caller.user.id)
    return task.id


def _return_interview(work: Work, episode: MissingEpisode, found_at: datetime) -> CaseTask:
    lead = work.session.scalar(
        select(TeamMembership.user_id).where(
            TeamMembership.case_id == work.case.id,
            TeamMembership.role_in_team == TeamRole.LEAD,
            TeamMembership.starts_on <= clock.today(),
            (TeamMembership.ends_on.is_(None)) | (TeamMembership.ends_on > clock.today()),
        )
    )
    task = CaseTask(
        work.case,
        title=str(_l("Return interview after the child was found")),
        assignee_id=lead or work.caller.user.id,
        created_by_id=work.caller.user.id,
        due_on=(found_at + timedelta(hours=RETURN_INTERVIEW_HOURS)).date(),
        rule=RETURN_INTERVIEW,
        rule_key=f"{RETURN_INTERVIEW}:{episode.id.hex}",
    )
    work.session.add(task)
    work.history(
        "tasks",
        {"record": "case_task"},
        "create",
        {"rule": RETURN_INTERVIEW, "due_on": task.due_on},
    )
    return task


def missing_summary(session: Session, case_id: uuid.UUID, full: bool) -> MissingSummary:
    """The case's episodes, newest first: how many, for how long. `full` adds where,
    circumstances, the police reference and who found the child."""
    episodes = list(
        session.scalars(
            select(MissingEpisode)
            .where(MissingEpisode.case_id == case_id)
            .order_by(MissingEpisode.recorded_at.desc())
        )
    )
    now = _now()
    readouts = tuple(_readout(e, full, now) for e in episodes)
    total = sum((r.duration for r in readouts), timedelta())
    return MissingSummary(episodes=readouts, total=total)


def _readout(e: MissingEpisode, full: bool, now: datetime) -> EpisodeReadout:
    end = e.found_at if e.found_at is not None else now
    return EpisodeReadout(
        id=e.id,
        version=e.version,
        is_open=e.is_open,
        last_seen_at=e.last_seen_at,
        found_at=e.found_at,
        duration=max(end - e.last_seen_at, timedelta()),
        police_informed_at=e.police_informed_at,
        last_seen_where=e.last_seen_where if full else None,
        circumstances=e.circumstances if full else None,
        police_reference=e.police_reference if full else None,
        found_where=e.found_where if full else None,
        found_by=e.found_by if full else None,
    )
