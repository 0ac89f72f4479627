"""The one door to case data.

Every read and change of a case goes through these functions. Each checks the
caller's permission and team membership, writes its audit event in the same
transaction, commits both together, and returns only what the caller's role may see.
"""

from casework.casefile.attention import my_case_marks
from casework.casefile.breakglass import (
    REASON_MAX,
    REASON_MIN,
    ensure_may_break_glass,
    open_break_glass,
)
from casework.casefile.caller import Caller
from casework.casefile.changing import IdentityChange, ensure_may_write, update_identity
from casework.casefile.errors import CaseNotFound, NotPermitted, StaleEdit
from casework.casefile.invalid import InvalidInput
from casework.casefile.nonpunishment import (
    ConsiderationInput,
    DecisionInput,
    add_consideration,
    consideration_for_edit,
    ensure_may_decide,
    record_decision,
    update_consideration,
)
from casework.casefile.operations import (
    NewChild,
    ensure_may_open_case,
    my_cases,
    open_case,
)
from casework.casefile.overview import region_overview
from casework.casefile.reading import read_case
from casework.casefile.referrals import (
    NewReferral,
    accept_referral,
    decline_referral,
    ensure_may_refer,
    organisations,
    read_referral,
    refer,
    referral_inbox,
)
from casework.casefile.support import (
    MeasureInput,
    add_measure,
    measure_for_edit,
    update_measure,
)
from casework.casefile.teams import TeamChange, add_to_team, end_membership, team_page
from casework.casefile.views import CaseSummary, CaseView, IdentityView, OverviewRow
from casework.casefile.views_of_child import Response, ViewsInput, record_views

__all__ = [
    "REASON_MAX",
    "REASON_MIN",
    "Caller",
    "CaseNotFound",
    "CaseSummary",
    "CaseView",
    "ConsiderationInput",
    "DecisionInput",
    "IdentityChange",
    "IdentityView",
    "InvalidInput",
    "MeasureInput",
    "NewChild",
    "NewReferral",
    "NotPermitted",
    "OverviewRow",
    "Response",
    "StaleEdit",
    "TeamChange",
    "ViewsInput",
    "accept_referral",
    "add_consideration",
    "add_measure",
    "add_to_team",
    "consideration_for_edit",
    "decline_referral",
    "end_membership",
    "ensure_may_break_glass",
    "ensure_may_decide",
    "ensure_may_open_case",
    "ensure_may_refer",
    "ensure_may_write",
    "measure_for_edit",
    "my_case_marks",
    "my_cases",
    "open_break_glass",
    "open_case",
    "organisations",
    "read_case",
    "read_referral",
    "record_decision",
    "record_views",
    "refer",
    "referral_inbox",
    "region_overview",
    "team_page",
    "update_consideration",
    "update_identity",
    "update_measure",
]
