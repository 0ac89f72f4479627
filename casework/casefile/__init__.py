"""The one door to case data.

Every read and change of a case goes through these functions. Each checks the
caller's permission and team membership, writes its audit event in the same
transaction, commits both together, and returns only what the caller's role may see.
"""

from casework.access.caller import Caller
from casework.access.errors import (
    CaseClosed,
    CaseErased,
    CaseMerged,
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
from casework.casefile.casewide.duplicates import (
    SameChildItem,
    dismiss_same_child,
    link_same_child,
    same_child_items,
)
from casework.casefile.casewide.flags import (
    ensure_may_flag,
    ensure_may_resolve,
    may_raise,
    raise_flag,
    resolve_flag,
)
from casework.casefile.casewide.lifecycle import StatusChange, Step, change_status, lead_case
from casework.casefile.casewide.links import case_links
from casework.casefile.casewide.merging import MergeProposal, agree_to_merge, merge_proposal
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
    add_identification_to_case,
    ensure_may_record_intake,
    handover_candidates,
    open_case_from_identification,
)
from casework.casefile.identification.records import (
    DecisionChange,
    IdentificationChange,
    InvestigationChange,
    correct_decision,
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
from casework.casefile.statistics.query import (
    Options,
    Selection,
    StatisticsReadout,
    export_statistics,
    statistics_options,
    statistics_page,
)
from casework.casefile.statistics.tables import NOT_RECORDED, Median, Table, Tables
from casework.casefile.support.childs_views import Response, ViewsInput, record_views
from casework.casefile.support.nonpunishment import (
    ConsiderationInput,
    CorrectionInput,
    DecisionInput,
    add_consideration,
    consideration_for_edit,
    correct_consideration,
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
from casework.casefile.work import ensure_may_write

__all__ = [
    "NOT_RECORDED",
    "REASON_MAX",
    "REASON_MIN",
    "UNREADABLE",
    "AgeChange",
    "Caller",
    "CaseClosed",
    "CaseErased",
    "CaseMerged",
    "CaseNotFound",
    "CaseReadout",
    "CaseSummary",
    "Colleague",
    "ConsiderationInput",
    "CorrectionInput",
    "DecisionChange",
    "DecisionInput",
    "DocumentChange",
    "GuardianChange",
    "IdentificationChange",
    "IdentityChange",
    "IdentityReadout",
    "InvalidInput",
    "InvestigationChange",
    "MeasureInput",
    "Median",
    "MergeProposal",
    "MigrationChange",
    "NewChild",
    "NewReferral",
    "NotPermitted",
    "Options",
    "OverviewRow",
    "PlacementChange",
    "QueryTooShort",
    "RecordNotFound",
    "Response",
    "SameChildItem",
    "SearchQuery",
    "SearchResult",
    "Selection",
    "StaleEdit",
    "StatisticsReadout",
    "StatusChange",
    "Step",
    "Table",
    "Tables",
    "TeamChange",
    "Unreadable",
    "ViewsInput",
    "WrongStatus",
    "accept_referral",
    "add_consideration",
    "add_document",
    "add_identification_to_case",
    "add_measure",
    "add_to_team",
    "agree_to_merge",
    "case_links",
    "change_status",
    "consideration_for_edit",
    "correct_consideration",
    "correct_decision",
    "decline_referral",
    "dismiss_same_child",
    "end_membership",
    "ensure_may_break_glass",
    "ensure_may_decide",
    "ensure_may_flag",
    "ensure_may_open_case",
    "ensure_may_record_intake",
    "ensure_may_refer",
    "ensure_may_resolve",
    "ensure_may_search",
    "ensure_may_write",
    "export_statistics",
    "handover_candidates",
    "lead_case",
    "link_same_child",
    "may_raise",
    "measure_for_edit",
    "merge_proposal",
    "my_case_marks",
    "my_cases",
    "open_break_glass",
    "open_case",
    "open_case_from_identification",
    "organisations",
    "possible_duplicates",
    "raise_flag",
    "read_case",
    "read_referral",
    "record_decision",
    "record_identification",
    "record_prosecution_decision",
    "record_views",
    "refer",
    "referral_inbox",
    "reflection_minimum",
    "reflection_too_short",
    "region_overview",
    "remove_document",
    "resolve_flag",
    "same_child_items",
    "save_age_assessment",
    "save_guardian",
    "save_investigation",
    "save_migration",
    "save_placement",
    "search_cases",
    "statistics_options",
    "statistics_page",
    "team_page",
    "update_consideration",
    "update_identity",
    "update_measure",
]
