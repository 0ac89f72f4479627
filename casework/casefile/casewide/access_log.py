"""The access log of one case, for its lead: who read or changed the case, when, which
field groups, and whether they were let in. Break-glass accesses appear here too.

Only an active lead member of the case's support team may see it; to anyone else the
case does not exist (404), exactly as for reading the case. Addresses and request ids
are left out: the lead needs to know who looked, the auditor how. What auditors did
(reviewing the case's log, exporting it) is left out too: an insider under
investigation must not be tipped off. It stays in the audit log.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from casework.access.caller import Caller
from casework.access.errors import CaseNotFound
from casework.access.guard import deny
from casework.access.permissions import Permission
from casework.access.policy import current_policy
from casework.access.reach import active_membership
from casework.audit import queries
from casework.audit.events import Action, record
from casework.audit.queries import EventFilter, EventPage, PageRequest
from casework.models.case import Case
from casework.models.team import TeamRole


@dataclass(frozen=True)
class CaseAccessLog:
    case_id: uuid.UUID
    reference: str
    page: EventPage
    organisations: dict[str, str]


def case_access_log(
    session: Session, caller: Caller, case_id: uuid.UUID, request: PageRequest
) -> CaseAccessLog:
    case = session.get(Case, case_id)
    membership = active_membership(session, case_id, caller.user.id) if case else None
    if (
        case is None
        or membership is None
        or membership.role_in_team != TeamRole.LEAD
        or not current_policy().allows(caller.role, Permission.CASE_READ)
    ):
        deny(session, caller, case)
        raise CaseNotFound(str(case_id))
    auditors = current_policy().holders(Permission.AUDIT_READ)
    found = queries.page(
        session, EventFilter(case_ref=case.reference, hide_roles=auditors), request
    )
    rows = [dataclasses.replace(r, request_id="", client_addr="") for r in found.rows]
    log = CaseAccessLog(
        case_id=case.id,
        reference=case.reference,
        page=dataclasses.replace(found, rows=rows),
        organisations=queries.organisation_names(session),
    )
    record(
        session, Action.AUDIT_READ, caller.actor, case_ref=case.reference, context=caller.context
    )
    session.commit()
    return log
