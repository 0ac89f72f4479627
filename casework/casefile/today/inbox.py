"""A person's own notifications: the count on every page, the list, marking them read
(a POST, never a GET), and the e-mail settings. Notifications name a case by its
reference only; whoever follows the link meets the door like any other visitor."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from casework.access.caller import Caller
from casework.access.errors import InvalidInput
from casework.audit.events import Action, record
from casework.casefile.today.notify import KINDS
from casework.casefile.today.readouts import NotificationReadout, NotificationSettings
from casework.clock import utcnow
from casework.models.case import Case
from casework.models.notification import EmailChoice, Notification, NotificationSetting

LIST_LIMIT = 100
ADDRESS_MAX = 254


def unread_count(session: Session, caller: Caller) -> int:
    return (
        session.scalar(
            select(func.count(Notification.id)).where(
                Notification.user_id == caller.user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


Mine = Select[Notification, str]


def _readouts(session: Session, query: Mine) -> list[NotificationReadout]:
    rows = session.execute(query).all()
    return [
        NotificationReadout(
            id=n.id,
            kind=n.kind,
            case_id=n.case_id,
            reference=reference or "",
            created_at=n.created_at,
            read=n.read_at is not None,
        )
        for n, reference in rows
    ]


def _mine(caller: Caller) -> Mine:
    return (
        select(Notification, Case.reference)
        .outerjoin(Case, Case.id == Notification.case_id)
        .where(Notification.user_id == caller.user.id)
        .order_by(Notification.created_at.desc())
    )


def unread(session: Session, caller: Caller) -> list[NotificationReadout]:
    query = _mine(caller).where(Notification.read_at.is_(None)).limit(LIST_LIMIT)
    return _readouts(session, query)


def my_notifications(session: Session, caller: Caller) -> list[NotificationReadout]:
    """The caller's newest notifications, read or not."""
    return _readouts(session, _mine(caller).limit(LIST_LIMIT))


def mark_read(session: Session, caller: Caller, ids: Iterable[uuid.UUID] | None = None) -> int:
    """Mark the caller's unread notifications read (those of `ids` only, when given);
    another person's ids are ignored. Returns how many changed."""
    query = update(Notification).where(
        Notification.user_id == caller.user.id, Notification.read_at.is_(None)
    )
    if ids is not None:
        query = query.where(Notification.id.in_(list(ids)))
    result = session.execute(query.values(read_at=utcnow()))
    session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def notification_settings(session: Session, caller: Caller) -> NotificationSettings:
    setting = session.get(NotificationSetting, caller.user.id)
    choices = {
        c.kind: c.by_email
        for c in session.scalars(select(EmailChoice).where(EmailChoice.user_id == caller.user.id))
    }
    return NotificationSettings(
        email_address=setting.email_address if setting else "",
        choices=tuple(
            (k.code, k.label, choices.get(k.code, k.email_default)) for k in KINDS.values()
        ),
    )


def save_notification_settings(
    session: Session, caller: Caller, address: str, by_email: Mapping[str, bool]
) -> None:
    """Keep the caller's address and, per kind, whether to take e-mail. Unknown kinds
    are refused; an address that is not one is refused beside its field."""
    address = (address or "").strip()
    if address:
        try:
            address = validate_email(address, check_deliverability=False).normalized
        except EmailNotValidError:
            raise InvalidInput(
                "email_address", _l("Give an e-mail address such as name@example.org.")
            ) from None
        if len(address) > ADDRESS_MAX:
            raise InvalidInput(
                "email_address", _l("Use at most %(max)d characters.", max=ADDRESS_MAX)
            )
    unknown = set(by_email) - set(KINDS)
    if unknown:
        raise InvalidInput("", _l("Choose among the kinds of notification listed."))
    setting = session.get(NotificationSetting, caller.user.id)
    if setting is None:
        setting = NotificationSetting(user_id=caller.user.id)
        session.add(setting)
    setting.email_address = address
    for kind, wanted in by_email.items():
        choice = session.get(EmailChoice, (caller.user.id, kind))
        if choice is None:
            session.add(EmailChoice(user_id=caller.user.id, kind=kind, by_email=wanted))
        else:
            choice.by_email = wanted
    record(
        session,
        Action.USER_UPDATE,
        caller.actor,
        context=caller.context,
        subject=caller.user.username,
    )
    session.commit()
