from __future__ import annotations

from dataclasses import dataclass

from casework.audit.events import Actor, RequestContext
from casework.models.user import User


@dataclass(frozen=True)
class Caller:
    """The signed-in user making a request, and where the request came from."""

    user: User
    context: RequestContext

    @property
    def role(self) -> str:
        return self.user.role

    @property
    def actor(self) -> Actor:
        return Actor(
            username=self.user.username,
            role=self.user.role,
            organisation=str(self.user.organisation_id),
        )
