"""factory-boy factories. Users get one shared, precomputed password hash, because
argon2id is slow on purpose."""

from __future__ import annotations

import base64
import uuid

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy.orm import Session

from casework.auth.passwords import hash_password
from casework.crypto.keyring import Keyring
from casework.models import Organisation, OrganisationKind, User

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)
TEST_KEK = base64.b64encode(bytes(range(32))).decode()
# Every factory user's authenticator seed; tests compute codes from it.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def sealed_totp(user_id: uuid.UUID, secret: str = TOTP_SECRET) -> bytes:
    """The seed sealed as the running app would (its own KEK), else under TEST_KEK."""
    from flask import has_app_context

    if has_app_context():
        from casework.crypto.keyring import current_keyring

        return current_keyring().seal_secret("totp", str(user_id), secret.encode())
    return Keyring(base64.b64decode(TEST_KEK)).seal_secret("totp", str(user_id), secret.encode())


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

    id = factory.LazyFunction(uuid.uuid4)
    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: f"{o.username.title()} Example")
    password_hash = _PASSWORD_HASH
    role = "social_worker"
    organisation = factory.SubFactory(OrganisationFactory)
    active = True
    totp_secret_enc = factory.LazyAttribute(lambda o: sealed_totp(o.id))

    class Params:
        police = factory.Trait(role="police")
        prosecutor = factory.Trait(role="prosecutor")
        ngo_worker = factory.Trait(role="ngo_worker")
        coordinator = factory.Trait(role="coordinator")
        auditor = factory.Trait(role="auditor")
        admin = factory.Trait(role="admin")
        inactive = factory.Trait(active=False)
        not_enrolled = factory.Trait(totp_secret_enc=None)


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
    from casework.casefile.casewide.opening import ROLE_ACTOR_TYPE
    from casework.clock import today
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
