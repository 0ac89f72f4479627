"""The one door to case data.

Every read and change of a case goes through these functions. Each checks the
caller's permission and team membership, writes its audit event in the same
transaction, commits both together, and returns only what the caller's role may see.
"""

from casework.casefile.breakglass import (
    REASON_MAX,
    REASON_MIN,
    ensure_may_break_glass,
    open_break_glass,
)
from casework.casefile.caller import Caller
from casework.casefile.changing import IdentityChange, ensure_may_write, update_identity
from casework.casefile.errors import CaseNotFound, NotPermitted, StaleEdit
from casework.casefile.operations import (
    NewChild,
    ensure_may_open_case,
    my_cases,
    open_case,
)
from casework.casefile.overview import region_overview
from casework.casefile.reading import read_case
from casework.casefile.views import CaseSummary, CaseView, IdentityView, OverviewRow

__all__ = [
    "REASON_MAX",
    "REASON_MIN",
    "Caller",
    "CaseNotFound",
    "CaseSummary",
    "CaseView",
    "IdentityChange",
    "IdentityView",
    "NewChild",
    "NotPermitted",
    "OverviewRow",
    "StaleEdit",
    "ensure_may_break_glass",
    "ensure_may_open_case",
    "ensure_may_write",
    "my_cases",
    "open_break_glass",
    "open_case",
    "read_case",
    "region_overview",
    "update_identity",
]
