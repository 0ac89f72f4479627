"""The one door to case data.

Every read and change of a case goes through these functions. Each checks the
caller's permission and team membership, writes its audit event in the same
transaction, commits both together, and returns only what the caller's role may see.
"""

from casework.access.caller import Caller
from casework.access.errors import (
    CaseClosed,
    CaseErased,
    CaseNotFound,
    InvalidInput,
    NotPermitted,
    RecordNotFound,
    StaleEdit,
    WrongStatus,
)
from casework.casefile.casewide.attention import my_case_marks
from casework.casefile.casewide.breakglass import (
    REASON_MAX,
    REASON_MIN,
    ensure_may_break_glass,
    open_break_glass,
)
from casework.casefile.casewide.flags import ensure_may_flag, may_raise, raise_flag, resolve_flag
from casework.casefile.casewide.lifecycle import StatusChange, Step, change_status, lead_case
from casework.casefile.casewide.missing import (
    FoundReport,
    MissingReport,
    closing_blockers,
    episode_for_edit,
    is_missing,
    record_found,
    report_missing,
    update_missing,
)
from casework.casefile.casewide.opening import (
    NewChild,
    ensure_may_open_case,
    my_cases,
    open_case,
)
from casework.casefile.casewide.overview import region_overview
from casework.casefile.casewide.reading import read_case
from casework.casefile.casewide.search import (
    QueryTooShort,
    SearchQuery,
    SearchResult,
    ensure_may_search,
    possible_duplicates,
    search_cases,
)
from casework.casefile.identification.intake import (
    Colleague,
    ensure_may_record_intake,
    handover_candidates,
    open_case_from_identification,
)
from casework.casefile.identification.records import (
    DecisionChange,
    IdentificationChange,
    InvestigationChange,
    record_decision,
    record_identification,
    save_investigation,
)
from casework.casefile.readouts import (
    UNREADABLE,
    CaseReadout,
    CaseSummary,
    IdentityReadout,
    OverviewRow,
    Unreadable,
)
from casework.casefile.record.child import (
    AgeChange,
    DocumentChange,
    GuardianChange,
    PlacementChange,
    add_document,
    remove_document,
    save_age_assessment,
    save_guardian,
    save_placement,
)
from casework.casefile.record.identity import IdentityChange, update_identity
from casework.casefile.record.migration import (
    MigrationChange,
    reflection_minimum,
    reflection_too_short,
    save_migration,
)
from casework.casefile.support.childs_views import Response, ViewsInput, record_views
from casework.casefile.support.nonpunishment import (
    ConsiderationInput,
    DecisionInput,
    add_consideration,
    consideration_for_edit,
    ensure_may_decide,
    record_prosecution_decision,
    update_consideration,
)
from casework.casefile.support.plan import (
    MeasureInput,
    add_measure,
    measure_for_edit,
    update_measure,
)
from casework.casefile.support.referrals import (
    NewReferral,
    accept_referral,
    decline_referral,
    ensure_may_refer,
    organisations,
    read_referral,
    refer,
    referral_inbox,
)
from casework.casefile.support.team import TeamChange, add_to_team, end_membership, team_page
from casework.casefile.today.inbox import (
    mark_read,
    my_notifications,
    notification_settings,
    save_notification_settings,
    unread_count,
)
from casework.casefile.today.notify import KINDS, notify, register_kind
from casework.casefile.today.page import today_page
from casework.casefile.today.tasks import (
    TaskInput,
    add_task,
    assignees,
    close_task,
    ensure_may_work_on,
    task_for_edit,
    update_task,
)
from casework.casefile.work import ensure_may_write

__all__ = [
    "KINDS",
    "REASON_MAX",
    "REASON_MIN",
    "UNREADABLE",
    "AgeChange",
    "Caller",
    "CaseClosed",
    "CaseErased",
    "CaseNotFound",
    "CaseReadout",
    "CaseSummary",
    "Colleague",
    "ConsiderationInput",
    "DecisionChange",
    "DecisionInput",
    "DocumentChange",
    "FoundReport",
    "GuardianChange",
    "IdentificationChange",
    "IdentityChange",
    "IdentityReadout",
    "InvalidInput",
    "InvestigationChange",
    "MeasureInput",
    "MigrationChange",
    "MissingReport",
    "NewChild",
    "NewReferral",
    "NotPermitted",
    "OverviewRow",
    "PlacementChange",
    "QueryTooShort",
    "RecordNotFound",
    "Response",
    "SearchQuery",
    "SearchResult",
    "StaleEdit",
    "StatusChange",
    "Step",
    "TaskInput",
    "TeamChange",
    "Unreadable",
    "ViewsInput",
    "WrongStatus",
    "accept_referral",
    "add_consideration",
    "add_document",
    "add_measure",
    "add_task",
    "add_to_team",
    "assignees",
    "change_status",
    "close_task",
    "closing_blockers",
    "consideration_for_edit",
    "decline_referral",
    "end_membership",
    "ensure_may_break_glass",
    "ensure_may_decide",
    "ensure_may_flag",
    "ensure_may_open_case",
    "ensure_may_record_intake",
    "ensure_may_refer",
    "ensure_may_search",
    "ensure_may_work_on",
    "ensure_may_write",
    "episode_for_edit",
    "handover_candidates",
    "is_missing",
    "lead_case",
    "mark_read",
    "may_raise",
    "measure_for_edit",
    "my_case_marks",
    "my_cases",
    "my_notifications",
    "notification_settings",
    "notify",
    "open_break_glass",
    "open_case",
    "open_case_from_identification",
    "organisations",
    "possible_duplicates",
    "raise_flag",
    "read_case",
    "read_referral",
    "record_decision",
    "record_found",
    "record_identification",
    "record_prosecution_decision",
    "record_views",
    "refer",
    "referral_inbox",
    "reflection_minimum",
    "reflection_too_short",
    "region_overview",
    "register_kind",
    "remove_document",
    "report_missing",
    "resolve_flag",
    "save_age_assessment",
    "save_guardian",
    "save_investigation",
    "save_migration",
    "save_notification_settings",
    "save_placement",
    "search_cases",
    "task_for_edit",
    "team_page",
    "today_page",
    "unread_count",
    "update_consideration",
    "update_identity",
    "update_measure",
    "update_missing",
    "update_task",
]
