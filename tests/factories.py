"""factory-boy factories. Users get one shared, precomputed password hash, because
argon2id is slow on purpose."""

from __future__ import annotations

import base64
import uuid
from datetime import date
from typing import TypedDict, Unpack, cast

from factory.alchemy import SQLAlchemyModelFactory
from factory.declarations import LazyAttribute, LazyFunction, Sequence, SubFactory, Trait
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

    name = Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.SOCIAL_SERVICES
    region = "Riga"

    class Params:
        police = Trait(kind=OrganisationKind.POLICE, region="Harju")
        ngo = Trait(kind=OrganisationKind.NGO)


class UserFactory(_Base):
    class Meta:
        model = User

    id = LazyFunction(uuid.uuid4)
    username = Sequence(lambda n: f"user{n}")
    display_name = LazyAttribute(lambda o: f"{o.username.title()} Example")
    password_hash = _PASSWORD_HASH
    role = "social_worker"
    organisation = SubFactory(OrganisationFactory)
    active = True
    totp_secret_enc = LazyAttribute(lambda o: sealed_totp(o.id))

    class Params:
        police = Trait(role="police")
        prosecutor = Trait(role="prosecutor")
        ngo_worker = Trait(role="ngo_worker")
        coordinator = Trait(role="coordinator")
        auditor = Trait(role="auditor")
        admin = Trait(role="admin")
        health_professional = Trait(role="health_professional", profession="health")
        guardian = Trait(role="guardian")
        legal_counsel = Trait(role="legal_counsel")
        interpreter = Trait(role="interpreter")
        inactive = Trait(active=False)
        not_enrolled = Trait(totp_secret_enc=None)


ALL_FACTORIES: tuple[type[_Base], ...] = (OrganisationFactory, UserFactory)


def bind(session: Session) -> None:
    for f in ALL_FACTORIES:
        # factory-boy types `_meta` as the base FactoryOptions; SQLAlchemyOptions adds
        # `sqlalchemy_session` at runtime without declaring it.
        f._meta.sqlalchemy_session = session  # type: ignore[attr-defined]


class OrganisationFields(TypedDict, total=False):
    """OrganisationFactory's fields and traits."""

    name: str
    kind: str
    region: str
    police: bool
    ngo: bool


class UserFields(TypedDict, total=False):
    """UserFactory's fields and traits."""

    id: uuid.UUID
    username: str
    display_name: str
    password_hash: str
    role: str
    organisation: Organisation
    active: bool
    totp_secret_enc: bytes | None
    profession: str | None
    created_by_id: uuid.UUID | None
    changed_by_id: uuid.UUID | None
    language: str | None
    time_zone: str | None
    police: bool
    prosecutor: bool
    ngo_worker: bool
    coordinator: bool
    auditor: bool
    admin: bool
    health_professional: bool
    guardian: bool
    legal_counsel: bool
    interpreter: bool
    inactive: bool
    not_enrolled: bool


# Tests build objects through these, not by calling the factories: factory-boy's
# metaclass `__call__` is untyped, so mypy reads `UserFactory(...)` as a factory instance,
# and `create()` returns Any (SQLAlchemyModelFactory is not generic). `UserFactory(...)`
# runs the default create strategy, that is `UserFactory.create(...)`, the call made here.
def make_user(**fields: Unpack[UserFields]) -> User:
    """A committed User, as `UserFactory(**fields)`; traits (police=True, ...) as keywords."""
    return cast(User, UserFactory.create(**fields))


def make_organisation(**fields: Unpack[OrganisationFields]) -> Organisation:
    """A committed Organisation, as `OrganisationFactory(**fields)`; traits as keywords."""
    return cast(Organisation, OrganisationFactory.create(**fields))


class ChildFields(TypedDict, total=False):
    """open_case's keyword arguments: the child's details."""

    given_name: str
    family_name: str
    date_of_birth: date | None
    sex: str


def open_case(
    session: Session,
    user: User,
    *,
    given_name: str = "Liis",
    family_name: str = "Jõgi",
    date_of_birth: date | None = date(2013, 5, 17),
    sex: str = "female",
) -> uuid.UUID:
    """Open a case through the casefile door as `user`; needs an application context."""
    from casework.audit.events import RequestContext
    from casework.casefile import Caller, NewChild
    from casework.casefile import open_case as door_open_case

    return door_open_case(
        session,
        Caller(user=user, context=RequestContext()),
        NewChild(
            given_name=given_name,
            family_name=family_name,
            date_of_birth=date_of_birth,
            sex=sex,
        ),
    )


def add_member(
    session: Session, case_id: uuid.UUID, user: User, role_in_team: str = "member"
) -> None:
    """Put `user` on the case's support team from today, as the team door will."""
    from casework.access.policy import load_policy
    from casework.clock import today
    from casework.codes.named import ActorType
    from casework.models import TeamMembership
    from casework.settings import PROJECT_ROOT

    policy = load_policy(PROJECT_ROOT / "config" / "access_policy.toml")
    actor_type = policy.role(user.role).actor_type or ActorType.SOCIAL_SERVICES

    session.add(
        TeamMembership(
            case_id=case_id,
            user_id=user.id,
            organisation_id=user.organisation_id,
            actor_type=actor_type,
            role_in_team=role_in_team,
            starts_on=today(),
        )
    )
    session.commit()
