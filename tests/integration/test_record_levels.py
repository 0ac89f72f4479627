"""The door hands each role only its level of each group: summary means headline facts
and no free text; none means nothing at all."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from casework import casefile, clock
from tests.factories import make_user, open_case
from tests.records import caller_of, identification_change, join


@pytest.fixture
def case_id(app: Flask, db_session: Session) -> uuid.UUID:
    lead = make_user(username="lead")
    officer = make_user(username="officer", police=True)
    with app.app_context():
        case_id = open_case(db_session, lead)
        join(app, db_session, case_id, officer, "police")
        police, social = caller_of(officer), caller_of(lead)
        ident = casefile.record_identification(
            db_session, police, case_id, identification_change(narrative="Free text")
        )
        casefile.save_investigation(
            db_session,
            police,
            case_id,
            ident,
            casefile.InvestigationChange("REF-1", "Someone", None),
            None,
        )
        casefile.record_decision(
            db_session,
            police,
            case_id,
            casefile.DecisionChange("presumed", "Police chief", clock.today(), "positive", True),
        )
        casefile.save_migration(
            db_session,
            social,
            case_id,
            casefile.MigrationChange(
                "unaccompanied", "asylum_seeker", ("AF",), ("TR",), None, None, None
            ),
            None,
        )
        casefile.save_placement(
            db_session,
            social,
            case_id,
            casefile.PlacementChange("foster_family", "Street 1", None),
            None,
        )
    return case_id


def _details(
    app: Flask, db_session: Session, case_id: uuid.UUID, role: str
) -> casefile.CaseReadout:
    user = make_user(username=f"viewer-{role}", role=role)
    join(app, db_session, case_id, user)
    with app.app_context():
        return casefile.read_case(db_session, caller_of(user), case_id)


def test_summary_roles_get_headline_facts_without_free_text(
    app: Flask, db_session: Session, case_id: uuid.UUID
) -> None:
    for role in ("ngo_worker", "coordinator"):
        d = _details(app, db_session, case_id, role).details
        [ident] = d.identifications
        assert ident.summary_only and ident.actor_type == "police"
        assert ident.narrative is None and ident.indicators is None
        assert ident.recruitment_method is None and ident.investigation is None
        assert [x.decision_maker for x in d.decisions] == [None]
        assert d.migration is not None and d.migration.summary_only
        assert d.migration.care_situation == "unaccompanied"
        assert d.migration.origin_countries is None and d.migration.transit_countries is None
        assert d.placement is None and d.record is None
        assert d.presumed_child is False
        assert [f.kind for f in d.flags] == ["guardian_needed"]


def test_readers_get_everything_of_their_groups_and_nothing_of_others(
    app: Flask, db_session: Session, case_id: uuid.UUID
) -> None:
    social = _details(app, db_session, case_id, "social_worker").details
    assert social.identifications[0].narrative == "Free text"
    assert social.identifications[0].investigation is None  # police and prosecutors only
    assert social.placement is not None and social.placement.address == "Street 1"
    prosecutor = _details(app, db_session, case_id, "prosecutor").details
    investigation = prosecutor.identifications[0].investigation
    assert investigation is not None and investigation.reference == "REF-1"
    assert prosecutor.placement is None  # location: not for prosecutors
    assert prosecutor.migration is not None and prosecutor.migration.origin_countries == ("AF",)


def test_history_values_only_for_groups_read_in_full(
    app: Flask, db_session: Session, case_id: uuid.UUID
) -> None:
    ngo = _details(app, db_session, case_id, "ngo_worker").details
    groups = {entry.group for entry in ngo.history}
    assert {"identification", "investigation", "location", "migration"} <= groups
    # Flags and the team are seen by every member; every field group's values are not.
    hidden = [e for e in ngo.history if e.group not in ("flags", "team")]
    assert hidden and all(e.previous is None and e.current is None for e in hidden)
    social = _details(app, db_session, case_id, "social_worker").details
    location = [e for e in social.history if e.group == "location"]
    assert location and location[0].previous is not None
    investigation = [e for e in social.history if e.group == "investigation"]
    assert investigation and investigation[0].previous is None
