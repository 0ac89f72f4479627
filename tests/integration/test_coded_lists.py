"""config/codes.toml is the one source of the coded lists of support and non-punishment
(actor types, measure types, the child's acceptance, consent, offences, stages and
outcomes, the child's sex): a code added to the file is offered by the forms, accepted by the door,
shown by its label and counted by statistics, with no change to the code; a code
retired in the file is offered by no form and refused by the door, while a record that
holds it still shows its label and counts."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from casework import casefile, codes
from casework.casefile.statistics.disclosure import Perturbation
from casework.casefile.statistics.tables import Table, build_tables
from casework.codes import CodeList, choices, is_code, is_offered
from casework.models import Case, Organisation, SupportMeasure, User
from casework.settings import PROJECT_ROOT
from tests.conftest import login, post_form
from tests.factories import make_organisation, make_user, open_case
from tests.supporting import TODAY, as_caller, field_error, join, statistical_record

# list: (a code added to the file, its label; a code the file retires, its label)
ADDED = {
    "actor_type": ("youth_work", "Youth work"),
    "measure_type": ("mentoring", "Mentoring"),
    "acceptance": ("accepts_partly", "Accepts in part"),
    "consent": ("court", "A court"),
    "offence": ("trespass", "Trespass"),
    "non_punishment_stage": ("appeal", "Appeal"),
    "non_punishment_outcome": ("diverted", "Diverted from prosecution"),
    "sex": ("undisclosed", "Prefers not to say"),
}
# Every code of the sex list is one statistics count by (casework/codes/lists.py): none
# can be retired.
RETIRED = {
    "actor_type": "barnahus",
    "measure_type": "durable_solution",
    "acceptance": "ambivalent",
    "consent": "child",
    "offence": "begging",
    "non_punishment_stage": "record",
    "non_punishment_outcome": "no_penalty",
}


def extended_codes(tmp_path: Path) -> Path:
    """The shipped codes.toml with a code added to each list and one retired."""
    text = (PROJECT_ROOT / "config" / "codes.toml").read_text(encoding="utf-8")
    for name, (code, label) in ADDED.items():
        header = f"[lists.{name}]\n"
        assert header in text
        text = text.replace(header, f'{header}{code} = "{label}"\n', 1)
    assert text.rstrip().endswith('exploitation_type = ["online_sexual"]')
    text += "".join(f'{name} = ["{code}"]\n' for name, code in RETIRED.items())
    path = tmp_path / "codes.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def extended(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The application runs on the extended codes file, as after a restart."""
    monkeypatch.setattr(codes, "CODES_FILE", extended_codes(tmp_path))
    monkeypatch.setitem(app.extensions, codes.EXTENSION_KEY, codes.load())


@dataclass
class World:
    case_id: uuid.UUID
    lead: User
    police: User
    prosecutor: User
    youth_worker: User
    ngo: Organisation


@pytest.fixture
def world(app: Flask, db_session: Session, extended: None) -> World:
    lead = make_user(username="sofia")
    police = make_user(username="peeter", police=True)
    prosecutor = make_user(username="paulina", prosecutor=True)
    ngo = make_organisation(ngo=True, name="Harbour NGO")
    youth_worker = make_user(username="jonas", ngo_worker=True, organisation=ngo)
    with app.app_context():
        case_id = open_case(db_session, lead)
    join(app, db_session, case_id, police, "police")
    join(app, db_session, case_id, prosecutor, "prosecutor")
    return World(case_id, lead, police, prosecutor, youth_worker, ngo)


def test_the_lists_follow_the_file(app: Flask, extended: None) -> None:
    with app.test_request_context():
        for name, (code, label) in ADDED.items():
            assert is_offered(CodeList(name), code)
            assert (code, label) in choices(CodeList(name))
        for name, code in RETIRED.items():
            assert is_code(CodeList(name), code) and not is_offered(CodeList(name), code)
            assert code not in dict(choices(CodeList(name)))


def _measure(w: World, measure_type: str) -> casefile.MeasureInput:
    return casefile.MeasureInput(
        measure_type, w.lead.organisation_id, "active", TODAY - timedelta(days=3), None, None, ""
    )


def _consideration(offence: str, stage: str) -> casefile.ConsiderationInput:
    return casefile.ConsiderationInput(
        offence, stage, "yes", "Carried parcels.", TODAY - timedelta(days=2), "NRM"
    )


def _decision(outcome: str) -> casefile.DecisionInput:
    return casefile.DecisionInput(TODAY, "Paulina Prosecutor", outcome, "", "", "")


def _measure_id(app: Flask, session: Session, w: World) -> uuid.UUID:
    with app.app_context():
        return casefile.add_measure(session, as_caller(w.lead), w.case_id, _measure(w, "health"))


def _entry_id(app: Flask, session: Session, w: World) -> uuid.UUID:
    with app.app_context():
        return casefile.add_consideration(
            session, as_caller(w.police), w.case_id, _consideration("drugs", "charge")
        )


# The door's operation with a code of a list, as a person of the world gives it.
Operation = Callable[[Flask, Session, World, str], None]


def _add_member(app: Flask, session: Session, w: World, code: str) -> None:
    change = casefile.TeamChange(w.youth_worker.id, code, "member", TODAY, None)
    casefile.add_to_team(session, as_caller(w.lead), w.case_id, change)


def _add_measure(app: Flask, session: Session, w: World, code: str) -> None:
    casefile.add_measure(session, as_caller(w.lead), w.case_id, _measure(w, code))


def _record_views(app: Flask, session: Session, w: World, code: str) -> None:
    measure_id = _measure_id(app, session, w)
    views = casefile.ViewsInput(
        TODAY,
        "Estonian",
        "conversation",
        "I would like someone to talk to.",
        "no",
        "",
        "",
        (casefile.Response(measure_id, code, ""),),
    )
    casefile.record_views(session, as_caller(w.lead), w.case_id, views)


def _refer(app: Flask, session: Session, w: World, code: str) -> None:
    new = casefile.NewReferral(w.ngo.id, "Needs someone to talk to.", code)
    casefile.refer(session, as_caller(w.lead), w.case_id, new)


def _consider_offence(app: Flask, session: Session, w: World, code: str) -> None:
    c = _consideration(code, "charge")
    casefile.add_consideration(session, as_caller(w.police), w.case_id, c)


def _consider_stage(app: Flask, session: Session, w: World, code: str) -> None:
    c = _consideration("drugs", code)
    casefile.add_consideration(session, as_caller(w.police), w.case_id, c)


def _decide(app: Flask, session: Session, w: World, code: str) -> None:
    entry = _entry_id(app, session, w)
    casefile.record_prosecution_decision(
        session, as_caller(w.prosecutor), w.case_id, entry, _decision(code), 1
    )


# list -> (the operation, the field it refuses a code beside)
OPERATIONS: dict[str, tuple[Operation, str]] = {
    "actor_type": (_add_member, "actor_type"),
    "measure_type": (_add_measure, "measure_type"),
    "acceptance": (_record_views, "acceptance_"),
    "consent": (_refer, "consent"),
    "offence": (_consider_offence, "offence"),
    "non_punishment_stage": (_consider_stage, "stage"),
    "non_punishment_outcome": (_decide, "outcome"),
}


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_the_door_accepts_an_added_code_and_refuses_a_retired_one(
    app: Flask, db_session: Session, world: World, name: str
) -> None:
    operation, field = OPERATIONS[name]
    with app.app_context(), pytest.raises(casefile.InvalidInput) as refused:
        operation(app, db_session, world, RETIRED[name])
    assert refused.value.field.startswith(field)
    db_session.rollback()
    with app.app_context():
        operation(app, db_session, world, ADDED[name][0])


# list -> (who fills the form in, its address, the field)
FORMS: dict[str, tuple[str, str, str]] = {
    "actor_type": ("sofia", "/cases/{case}/team", "actor_type"),
    "measure_type": ("sofia", "/cases/{case}/measures/new", "measure_type"),
    "acceptance": ("sofia", "/cases/{case}/views/new", "acceptance_{measure}"),
    "consent": ("sofia", "/cases/{case}/referrals/new", "consent"),
    "offence": ("peeter", "/cases/{case}/non-punishment/new", "offence"),
    "non_punishment_stage": ("peeter", "/cases/{case}/non-punishment/new", "stage"),
    "non_punishment_outcome": (
        "paulina",
        "/cases/{case}/non-punishment/{entry}/decision",
        "outcome",
    ),
}


def _options(html: str, field: str) -> list[str]:
    """The values of the options of the select named `field`."""
    start = html.index(f'name="{field}"')
    return re.findall(r'<option[^>]* value="([^"]*)"', html[start : html.index("</select>", start)])


@pytest.mark.parametrize("name", sorted(FORMS))
def test_the_forms_offer_an_added_code_and_not_a_retired_one(
    app: Flask, client: FlaskClient, db_session: Session, world: World, name: str
) -> None:
    username, url, field = FORMS[name]
    measure = _measure_id(app, db_session, world).hex
    entry = _entry_id(app, db_session, world)
    login(client, username)
    page = client.get(url.format(case=world.case_id, entry=entry))
    assert page.status_code == 200
    offered = _options(page.text, field.format(measure=measure))
    assert ADDED[name][0] in offered and RETIRED[name] not in offered
    assert ADDED[name][1] in page.text


def test_an_added_measure_type_goes_from_the_form_to_the_case_page(
    client: FlaskClient, db_session: Session, world: World
) -> None:
    login(client, "sofia")
    fields = {
        "provider": str(world.lead.organisation_id),
        "status": "planned",
        "starts_on": TODAY.isoformat(),
    }
    url = f"/cases/{world.case_id}/measures/new"
    refused = post_form(client, url, {**fields, "measure_type": RETIRED["measure_type"]})
    assert field_error(refused.text, "measure_type") == "Choose a type of measure from the list."
    saved = post_form(client, url, {**fields, "measure_type": "mentoring"})
    assert saved.status_code == 302
    assert "Mentoring" in client.get(f"/cases/{world.case_id}").text


def test_a_record_holding_a_retired_code_still_shows_its_label(
    app: Flask, client: FlaskClient, db_session: Session, world: World
) -> None:
    measure = db_session.get_one(SupportMeasure, _measure_id(app, db_session, world))
    measure.measure_type = RETIRED["measure_type"]  # recorded before it was retired
    db_session.commit()
    login(client, "sofia")
    assert "Durable solution" in client.get(f"/cases/{world.case_id}").text


def _count(table: Table, row: str, col: str) -> int | None:
    return table.cells[table.rows.index(row)][table.cols.index(col)]


def test_statistics_count_added_codes_in_rows_of_their_own(
    app: Flask, db_session: Session, world: World
) -> None:
    with app.app_context():
        _add_member(app, db_session, world, "youth_work")
        _record_views(app, db_session, world, "accepts")
        casefile.add_measure(
            db_session, as_caller(world.lead), world.case_id, _measure(world, "mentoring")
        )
        entry = casefile.add_consideration(
            db_session, as_caller(world.police), world.case_id, _consideration("trespass", "appeal")
        )
        casefile.record_prosecution_decision(
            db_session, as_caller(world.prosecutor), world.case_id, entry, _decision("diverted"), 1
        )
    stat = statistical_record(app, db_session, world.case_id)
    assert "youth_work" in stat.team
    assert stat.measures["mentoring"] == "undecided"
    assert ("appeal", "diverted", True) in stat.non_punishment
    with app.app_context():
        tables = build_tables([stat], Perturbation(b"k" * 32, 0, enabled=False), 1)
    assert _count(tables.team, "youth_work", "yes") == 1
    assert _count(tables.team, "barnahus", "yes") == 0  # retired, still a row
    assert _count(tables.measures, "mentoring", "undecided") == 1
    assert _count(tables.measures, "health", "accepted_first") == 1
    assert "durable_solution" in tables.measures.rows
    assert _count(tables.non_punishment, "appeal", "diverted") == 1
    assert _count(tables.assessed, "diverted", "before") == 1


def test_the_statistics_export_labels_the_added_rows(
    app: Flask, db_session: Session, world: World
) -> None:
    result = app.test_cli_runner().invoke(args=["stats", "export", "--format", "csv"])
    assert result.exit_code == 0, result.output
    for name in ("actor_type", "measure_type", "non_punishment_stage", "non_punishment_outcome"):
        assert ADDED[name][1] in result.output


def test_the_childs_sex_follows_the_file_from_the_form_to_the_door_and_the_page(
    app: Flask, client: FlaskClient, db_session: Session, world: World
) -> None:
    code, label = ADDED["sex"]
    login(client, "sofia")
    form = client.get("/cases/new")
    assert _options(form.text, "sex") == ["", code, "female", "male", "other", "unknown"]
    with app.app_context():
        case_id = open_case(db_session, world.lead, sex=code)
    page = client.get(f"/cases/{case_id}")
    assert f"<dd>{label}</dd>" in page.text
    edit = client.get(f"/cases/{case_id}/identity")
    assert code in _options(edit.text, "sex")


@pytest.mark.parametrize("sex", ["", "banana", "Female", "unknown "])
def test_the_door_refuses_a_sex_the_list_lacks_and_writes_nothing(
    app: Flask, db_session: Session, world: World, sex: str
) -> None:
    caller = as_caller(world.lead)
    child = casefile.NewChild(given_name="Mia", family_name="Lind", date_of_birth=None, sex=sex)
    before = db_session.scalar(select(func.count()).select_from(Case))
    with app.app_context(), pytest.raises(casefile.InvalidInput) as refused:
        casefile.open_case(db_session, caller, child)
    assert refused.value.field == "sex"
    assert db_session.scalar(select(func.count()).select_from(Case)) == before
    change = casefile.IdentityChange("Mia", "Lind", None, sex)
    with app.app_context(), pytest.raises(casefile.InvalidInput) as refused:
        casefile.update_identity(db_session, caller, world.case_id, change, 1)
    assert refused.value.field == "sex"
    with app.app_context():
        case = casefile.read_case(db_session, caller, world.case_id)
    assert case.identity is not None and case.identity.sex != sex
