"""factory-boy factories. Users get one shared, precomputed password hash, because
argon2id is slow on purpose."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy.orm import Session

from casework.models import Organisation, OrganisationKind, User
from casework.passwords import hash_password

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_persistence = "commit"


class OrganisationFactory(_Base):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.SOCIAL_SERVICES
    region = "Riga"

    class Params:
        police = factory.Trait(kind=OrganisationKind.POLICE, region="Harju")
        ngo = factory.Trait(kind=OrganisationKind.NGO)


class UserFactory(_Base):
    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: f"{o.username.title()} Example")
    password_hash = _PASSWORD_HASH
    role = "social_worker"
    organisation = factory.SubFactory(OrganisationFactory)
    active = True

    class Params:
        police = factory.Trait(role="police")
        prosecutor = factory.Trait(role="prosecutor")
        ngo_worker = factory.Trait(role="ngo_worker")
        coordinator = factory.Trait(role="coordinator")
        auditor = factory.Trait(role="auditor")
        admin = factory.Trait(role="admin")
        inactive = factory.Trait(active=False)


ALL_FACTORIES: tuple[type[_Base], ...] = (OrganisationFactory, UserFactory)


def bind(session: Session) -> None:
    for f in ALL_FACTORIES:
        f._meta.sqlalchemy_session = session


def open_case(session: Session, user: User, **child: object) -> object:
    """Open a case through the casefile door as `user`; needs an application context."""
    from datetime import date

    from casework.audit.events import RequestContext
    from casework.casefile import Caller, NewChild
    from casework.casefile import open_case as door_open_case

    fields: dict[str, object] = {
        "given_name": "Liis",
        "family_name": "Jõgi",
        "date_of_birth": date(2013, 5, 17),
        "sex": "female",
        **child,
    }
    return door_open_case(
        session,
        Caller(user=user, context=RequestContext()),
        NewChild(**fields),  # type: ignore[arg-type]
    )


def add_member(session: Session, case_id: object, user: User, role_in_team: str = "member") -> None:
    """Put `user` on the case's support team from today, as the team door will."""
    from casework.casefile.operations import ROLE_ACTOR_TYPE, today
    from casework.models import ActorType, TeamMembership

    session.add(
        TeamMembership(
            case_id=case_id,
            user_id=user.id,
            organisation_id=user.organisation_id,
            actor_type=ROLE_ACTOR_TYPE.get(user.role, ActorType.SOCIAL_SERVICES),
            role_in_team=role_in_team,
            starts_on=today(),
        )
    )
    session.commit()
