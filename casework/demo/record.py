"""The child's record in the fictional demo: identifications across the identifying
actors and contexts, age-disputed children, unaccompanied children with and without
guardians, reflection periods, flags and cases at every step of the lifecycle. All of
it goes through the casefile door, so it is encrypted and audited like real data."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy.orm import Session

from casework import casefile, clock
from casework.casefile import Caller, NewChild
from casework.models import Case, User

# Cases the police open by recording an identification, handed to the social worker;
# the last waits to be taken on. Other police cases were opened the older way.
INTAKE = (3, 7, 11, 15)

# (case index, identifying actor, context, exploitation types, ICT-facilitated, recruitment)
IDENTIFICATIONS: list[tuple[int, str, str, tuple[str, ...], bool, str]] = [
    (0, "police", "police_operation", ("sexual",), True, "romance"),
    (1, "border_guard", "border_control", ("labour",), False, "job_or_study_offer"),
    (2, "labour_inspector", "outreach", ("labour", "slavery_servitude"), False, "debt_bondage"),
    (3, "police", "arrested_or_suspected", ("forced_criminality",), False, "peer"),
    (4, "school", "school", ("begging",), False, "family_or_acquaintance"),
    (5, "health_care", "health_care", ("sexual",), False, "romance"),
    (7, "asylum_reception", "reception", ("forced_marriage",), False, "family_or_acquaintance"),
    (11, "ngo_outreach", "outreach", ("begging", "forced_criminality"), False, "unknown"),
    (15, "hotline", "hotline", ("labour",), False, "job_or_study_offer"),
    (19, "online_platform", "online", ("sexual",), True, "online_grooming"),
    (23, "barnahus", "self_report", ("sexual",), True, "online_grooming"),
    (27, "self_peer_family", "self_report", ("labour",), False, "other"),
    (0, "ngo_outreach", "arrested_or_suspected", ("forced_criminality",), True, "romance"),
    (1, "social_services", "self_report", ("labour",), False, "family_or_acquaintance"),
]
INDICATORS = [
    ("intimidated", "no_schooling"),
    ("travels_with_non_relatives", "documents_held_by_others"),
    ("unsuitable_work", "lives_apart", "debt"),
    ("coached_story", "missing_from_care"),
    ("no_time_to_play", "no_access_to_parents"),
    ("unexplained_money_or_gifts", "online_contact_with_exploiter"),
]
# (case index, care situation, residence status, origin, transit, reflection days ago)
MIGRATION = [
    (8, "unaccompanied", "temporary_protection_ukraine", ("UA",), ("PL",), 12),
    (9, "separated", "temporary_protection_ukraine", ("UA",), ("PL", "LT"), None),
    (18, "accompanied", "temporary_protection_ukraine", ("UA",), ("PL",), None),
    (28, "unaccompanied", "temporary_protection_ukraine", ("UA",), ("MD", "RO", "HU"), 40),
    (2, "unaccompanied", "eu_citizen", ("PL",), (), 5),
    (6, "unaccompanied", "asylum_seeker", ("AF",), ("IR", "TR", "BG"), 26),
    (13, "accompanied", "national", ("LV",), (), None),
]
# (case index, status, method, youngest, oldest): the presumption of childhood at work
AGES = [
    (8, "disputed", None, None, None),
    (6, "assessed", "multidisciplinary", 16, 19),
    (13, "assessed", "documents", 14, 15),
    (22, "disputed", None, None, None),
]
FLAGS = [
    (0, "safety_risk", "A man waited outside the shelter twice this week; staff informed."),
    (4, "re_offer_due", "Declined counselling last month; offer again after the school term."),
]


Identification = tuple[int, str, str, tuple[str, ...], bool, str]


def open_by_identification(
    session: Session, police: Caller, child: NewChild, index: int, lead: User
) -> uuid.UUID:
    """A case the police opened by recording an identification, handed to `lead`."""
    entry = next((e for e in IDENTIFICATIONS if e[0] == index), (index, *IDENTIFICATIONS[0][1:]))
    return casefile.open_case_from_identification(
        session, police, child, _identification(entry), _investigation(index), lead.id
    )


def _identification(entry: Identification) -> casefile.IdentificationChange:
    index, actor, context, kinds, ict, recruitment = entry
    who = actor.replace("_", " ")
    return casefile.IdentificationChange(
        identified_on=clock.today() - timedelta(days=10 + 7 * index),
        jurisdiction="EE" if index % 2 else "LV",
        actor_type=actor,
        context=context,
        indicators=INDICATORS[index % len(INDICATORS)],
        exploitation_types=kinds,
        ict_facilitated=ict,
        recruitment_method=recruitment,
        narrative=f"Fictional demo account {index}: the child was met by {who}.",
    )


def _investigation(index: int) -> casefile.InvestigationChange:
    return casefile.InvestigationChange(
        reference=f"DEMO-INV-{index:03d}", suspects="Fictional suspect", evidence_notes=None
    )


def seed_record(
    session: Session, users: dict[str, User], case_ids: list[uuid.UUID], police: Caller
) -> None:
    social = Caller(user=users["socialworker"], context=police.context)
    seen: set[int] = set()
    for entry in IDENTIFICATIONS:
        index = entry[0]
        first = index not in seen
        seen.add(index)
        if first and index in INTAKE:
            continue  # the identification that opened this case
        casefile.record_identification(session, police, case_ids[index], _identification(entry))
    _decisions(session, police, case_ids)
    _migration(session, social, case_ids)
    _ages(session, social, case_ids)
    for index, kind, text in FLAGS:
        casefile.raise_flag(session, social, case_ids[index], kind, text)
    _lifecycle(session, social, case_ids)


def _decisions(session: Session, police: Caller, case_ids: list[uuid.UUID]) -> None:
    today = clock.today()
    for index, stage, outcome in (
        (0, "presumed", "positive"),
        (1, "reasonable_grounds", "positive"),
        (4, "conclusive_grounds", "positive"),
        (2, "reasonable_grounds", "negative"),
    ):
        change = casefile.DecisionChange(stage, "Demo national referral body", today, outcome, True)
        casefile.record_decision(session, police, case_ids[index], change)


def _migration(session: Session, social: Caller, case_ids: list[uuid.UUID]) -> None:
    today = clock.today()
    for index, care, status, origin, transit, started in MIGRATION:
        start = None if started is None else today - timedelta(days=started)
        change = casefile.MigrationChange(care, status, origin, transit, "LV", start, None)
        casefile.save_migration(session, social, case_ids[index], change, None)
    guardians = [
        (8, "guardian", "Demo guardian service, Riga", "unaccompanied"),
        (6, "guardian", "Demo guardian service, Riga", "unaccompanied"),
        (6, "criminal_representative", "Demo law office", "conflict_of_interest"),
    ]
    for index, kind, name, reason in guardians:
        guardian = casefile.GuardianChange(kind, name, "Demo orphan's court", today, reason, None)
        casefile.save_guardian(session, social, case_ids[index], guardian)
    for index, kind in ((0, "specialised_shelter"), (8, "foster_family"), (13, "foster_family")):
        placement = casefile.PlacementChange(kind, f"Demo street {index}, Riga", today)
        casefile.save_placement(session, social, case_ids[index], placement, None)


def _ages(session: Session, social: Caller, case_ids: list[uuid.UUID]) -> None:
    for index, status, method, youngest, oldest in AGES:
        assessed = clock.today() - timedelta(days=3) if status == "assessed" else None
        assessor = "Demo age assessment team" if status == "assessed" else None
        change = casefile.AgeChange(status, method, assessor, assessed, youngest, oldest)
        casefile.save_age_assessment(session, social, case_ids[index], change, None)


def _step(
    session: Session, social: Caller, case_id: uuid.UUID, step: casefile.Step, **why: str
) -> None:
    version = session.get_one(Case, case_id).version
    casefile.change_status(session, social, case_id, casefile.StatusChange(step, version, **why))


def _lifecycle(session: Session, social: Caller, case_ids: list[uuid.UUID]) -> None:
    for index in INTAKE[:-1]:  # handed over by the police and taken on
        _step(session, social, case_ids[index], casefile.Step.TAKE_ON)
    for index in (0, 1, 2, 4, 5, 6, 8):
        _step(session, social, case_ids[index], casefile.Step.ACTIVATE)
    _step(session, social, case_ids[10], casefile.Step.CLOSE, reason="durable_solution")
    _step(session, social, case_ids[14], casefile.Step.CLOSE, reason="transferred_abroad")
    _step(session, social, case_ids[14], casefile.Step.REOPEN, reason="returned")
