"""Fictional demo data: organisations around the Baltic Sea, one user per role, about
thirty cases, and 300 fictional statistical records for the statistics page. Every case
is opened through the casefile door, so demo data is encrypted and audited exactly like
real data. None of these children exist."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from casework import clock
from casework.audit.events import Actor, RequestContext
from casework.auth.accounts import create_user
from casework.casefile import (
    Caller,
    IdentityChange,
    NewChild,
    open_break_glass,
    open_case,
    update_identity,
)
from casework.casefile.support.membership import add_member
from casework.codes.named import ActorType
from casework.demo.record import INTAKE, open_by_identification, seed_record
from casework.demo.statistics import seed_statistics
from casework.demo.support import seed_support
from casework.demo.today import seed_today
from casework.models import Case, Organisation, OrganisationKind, User
from casework.settings import DEMO_PASSWORD

ORGANISATIONS = [
    ("Tallinn Police Prefecture (demo)", OrganisationKind.POLICE, "Harju", "EE"),
    ("Riga City Social Services (demo)", OrganisationKind.SOCIAL_SERVICES, "Riga", "LV"),
    ("Baltic Harbour Children's Support (demo)", OrganisationKind.NGO, "Riga", "LV"),
    ("Gdańsk Regional Prosecutor's Office (demo)", OrganisationKind.PROSECUTION, "Pomerania", "PL"),
    ("Baltic Regional Coordination Centre (demo)", OrganisationKind.COORDINATION, "Riga", "LV"),
    ("Data Protection and Audit Office (demo)", OrganisationKind.OVERSIGHT, "Riga", "LV"),
    ("Casework Operations (demo)", OrganisationKind.OPERATIONS, "Riga", "LV"),
    ("Children's Clinic of Riga (demo)", OrganisationKind.HEALTH, "Riga", "LV"),
]

# user name -> (display name, role, organisation index)
USERS = {
    "socialworker": ("Sofia Social-Worker", "social_worker", 1),
    "police": ("Peeter Police", "police", 0),
    "prosecutor": ("Paulina Prosecutor", "prosecutor", 3),
    "ngo": ("Nora NGO", "ngo_worker", 2),
    "coordinator": ("Kārlis Coordinator", "coordinator", 4),
    "auditor": ("Aino Auditor", "auditor", 5),
    "admin": ("Anders Admin", "admin", 6),
    "analyst": ("Ilze Analyst", "analyst", 5),
    # A second administrator: what one administrator asks for, the other approves.
    "admin2": ("Astrid Admin", "admin", 6),
    "doctor": ("Dace Doctor", "health_professional", 7),
    "interpreter": ("Ilmārs Interpreter", "interpreter", 2),
}
# Professions recorded on the accounts (clinical actor types need them).
PROFESSIONS = {"doctor": ActorType.HEALTH}
DEMO_USERS = tuple(USERS)

# Fictional children, names from around the Baltic Sea.
CHILDREN = [
    ("Šarūnas", "Petrauskas", "male"),
    ("Liis", "Jõgi", "female"),
    ("Łucja", "Wiśniewska", "female"),
    ("Mads", "Ærøskøbing", "male"),
    ("Līga", "Ozoliņa", "female"),
    ("Aino", "Mäkinen", "female"),
    ("Åsa", "Lindström", "female"),
    ("Jürgen", "Müller", "male"),
    ("Oleksandr", "Kovalenko", "male"),
    ("Daryna", "Shevchenko", "female"),
    ("Gintarė", "Kazlauskaitė", "female"),
    ("Mart", "Tamm", "male"),
    ("Zofia", "Dąbrowska", "female"),
    ("Søren", "Kjærgaard", "male"),
    ("Jānis", "Bērziņš", "male"),
    ("Eetu", "Järvinen", "male"),
    ("Björn", "Åkesson", "male"),
    ("Grete", "Kübler", "female"),
    ("Mykola", "Bondarenko", "male"),
    ("Rūta", "Žukauskienė", "female"),
    ("Kertu", "Õunapuu", "female"),
    ("Paweł", "Grzegorczyk", "male"),
    ("Ida", "Østergaard", "female"),
    ("Elīna", "Kalniņa", "female"),
    ("Ville", "Häkkinen", "male"),
    ("Märta", "Sjöberg", "female"),
    ("Lukas", "Schröder", "male"),
    ("Ірина", "Мельник", "female"),  # recorded in Cyrillic; "iryna melnyk" finds her
    ("Dovydas", "Jankūnas", "male"),
    ("Anonymous", "Unknown", "unknown"),
]


def seed(session: Session) -> int:
    rng = random.Random(2026)  # noqa: S311 - fictional data, reproducible on purpose
    orgs = [Organisation(name=n, kind=k, region=r, country=c) for n, k, r, c in ORGANISATIONS]
    session.add_all(orgs)
    session.commit()
    users: dict[str, User] = {}
    seeder = Actor(username="demo-seed")
    for username, (display, role, org_index) in USERS.items():
        users[username] = create_user(
            session,
            username=username,
            display_name=display,
            password=DEMO_PASSWORD,
            role=role,
            organisation=orgs[org_index],
            created_by=seeder,
        )
        users[username].profession = PROFESSIONS.get(username)
    session.commit()
    context = RequestContext(request_id="demo-seed", client_addr="")
    today = clock.today()
    case_ids = []
    for index, (given, family, sex) in enumerate(CHILDREN):
        opener = users["police"] if index % 4 == 3 else users["socialworker"]
        age_days = rng.randint(8 * 365, 17 * 365)
        born = None if index % 10 == 9 else today - timedelta(days=age_days)
        child = NewChild(given_name=given, family_name=family, date_of_birth=born, sex=sex)
        if index in INTAKE:  # the police open these by recording an identification
            case_ids.append(
                open_by_identification(
                    session, Caller(opener, context), child, index, users["socialworker"]
                )
            )
        else:
            case_ids.append(open_case(session, Caller(user=opener, context=context), child))
    _teams(session, seeder, users, case_ids, today)
    _aliases(session, users, context, case_ids)
    seed_record(session, users, case_ids, Caller(user=users["police"], context=context))
    seed_support(session, users, orgs, case_ids, today)
    seed_today(session, users, case_ids, today, context)
    open_break_glass(
        session,
        Caller(user=users["prosecutor"], context=context),
        session.get_one(Case, case_ids[0]).reference,
        "Detention hearing this afternoon: I must check whether the child is known as a "
        "possible victim before the prosecution decides anything.",
    )
    seed_statistics(session)
    return len(CHILDREN)


# Other names a child uses or was given: (case index, aliases).
ALIASES = [(27, ("Natasha Petrova",)), (9, ("Dasha",))]


def _aliases(
    session: Session, users: dict[str, User], context: RequestContext, case_ids: list[Any]
) -> None:
    """Names traffickers gave: search and the duplicate check find the child under them."""
    for index, names in ALIASES:
        opener = users["police"] if index % 4 == 3 else users["socialworker"]
        given, family, sex = CHILDREN[index]
        case = session.get_one(Case, case_ids[index])
        born = case.child.date_of_birth
        change = IdentityChange(given, family, born, sex, aliases=names)
        update_identity(
            session, Caller(opener, context), case_ids[index], change, case.child.version
        )


# (user, actor type, case indexes) of demo memberships beyond the case openers.
TEAMS = [
    ("ngo", ActorType.NGO, range(0, 12)),
    ("police", ActorType.POLICE, (0, 1, 2, 4, 5)),
    ("socialworker", ActorType.SOCIAL_SERVICES, (3, 7, 11, 15)),
    ("prosecutor", ActorType.PROSECUTOR, (3, 7, 8)),
    ("coordinator", ActorType.SOCIAL_SERVICES, (1, 2)),
    ("doctor", ActorType.HEALTH, (1, 2)),
    ("interpreter", ActorType.INTERPRETER, (1, 3)),
]


def _teams(
    session: Session, seeder: Actor, users: dict[str, User], case_ids: list[Any], today: date
) -> None:
    """Each demo user is on some cases and not on others; some memberships have ended."""
    started = today - timedelta(days=60)
    for username, actor_type, indexes in TEAMS:
        for index in indexes:
            add_member(
                session, seeder, case_ids[index], users[username], actor_type, starts_on=started
            )
    # Memberships that ended: the NGO no longer sees these two cases.
    for index in (12, 13):
        add_member(
            session,
            seeder,
            case_ids[index],
            users["ngo"],
            ActorType.NGO,
            starts_on=started,
            ends_on=today - timedelta(days=7),
        )
