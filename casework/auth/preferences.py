"""A user's own language and time zone: theirs to choose, recorded in the audit log."""

from __future__ import annotations

from sqlalchemy.orm import Session

from casework.audit.events import Action, RequestContext, record
from casework.auth.accounts import actor_of
from casework.locales import is_language, is_time_zone
from casework.models.user import User


class BadPreference(ValueError):
    """A language or time zone Casework does not offer."""


def save_preferences(
    session: Session,
    user: User,
    ctx: RequestContext,
    *,
    language: str | None,
    time_zone: str | None,
) -> None:
    """Save both choices (None: follow the browser / the organisation's country)."""
    if language is not None and not is_language(language):
        raise BadPreference("language")
    if time_zone is not None and not is_time_zone(time_zone):
        raise BadPreference("time_zone")
    if (user.language, user.time_zone) == (language, time_zone):
        return
    user.language = language
    user.time_zone = time_zone
    record(
        session,
        Action.USER_PREFERENCES,
        actor_of(user),
        subject=user.username,
        context=ctx,
    )
    session.commit()


def save_language(session: Session, user: User, ctx: RequestContext, language: str) -> None:
    save_preferences(session, user, ctx, language=language, time_zone=user.time_zone)
