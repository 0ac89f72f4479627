"""The one door to case data.

Every read and change of a case goes through these functions. Each checks the
caller's permission and team membership, writes its audit event in the same
transaction, commits both together, and returns only what the caller's role may see.
"""

from casework.casefile.caller import Caller
from casework.casefile.errors import CaseNotFound, NotPermitted
from casework.casefile.operations import (
    NewChild,
    ensure_may_open_case,
    my_cases,
    open_case,
    read_case,
)
from casework.casefile.search import (
    QueryTooShort,
    SearchQuery,
    SearchResult,
    ensure_may_search,
    possible_duplicates,
    search_cases,
)
from casework.casefile.views import UNREADABLE, CaseSummary, CaseView, IdentityView, Unreadable

__all__ = [
    "UNREADABLE",
    "Caller",
    "CaseNotFound",
    "CaseSummary",
    "CaseView",
    "IdentityView",
    "NewChild",
    "NotPermitted",
    "QueryTooShort",
    "SearchQuery",
    "SearchResult",
    "Unreadable",
    "ensure_may_open_case",
    "ensure_may_search",
    "my_cases",
    "open_case",
    "possible_duplicates",
    "read_case",
    "search_cases",
]
