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
from casework.casefile.child import (
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
from casework.casefile.errors import (
    CaseClosed,
    CaseNotFound,
    NotPermitted,
    RecordNotFound,
    StaleEdit,
    WrongStatus,
)
from casework.casefile.flags import ensure_may_flag, may_raise, raise_flag, resolve_flag
from casework.casefile.identification import (
    DecisionChange,
    IdentificationChange,
    InvestigationChange,
    record_decision,
    record_identification,
    save_investigation,
)
from casework.casefile.intake import (
    Colleague,
    ensure_may_record_intake,
    handover_candidates,
    open_case_from_identification,
)
from casework.casefile.lifecycle import StatusChange, Step, change_status, lead_case
from casework.casefile.migration import (
    MigrationChange,
    reflection_minimum,
    reflection_too_short,
    save_migration,
)
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
    "AgeChange",
    "Caller",
    "CaseClosed",
    "CaseNotFound",
    "CaseSummary",
    "CaseView",
    "Colleague",
    "DecisionChange",
    "DocumentChange",
    "GuardianChange",
    "IdentificationChange",
    "IdentityChange",
    "IdentityView",
    "InvestigationChange",
    "MigrationChange",
    "NewChild",
    "NotPermitted",
    "OverviewRow",
    "PlacementChange",
    "RecordNotFound",
    "StaleEdit",
    "StatusChange",
    "Step",
    "WrongStatus",
    "add_document",
    "change_status",
    "ensure_may_break_glass",
    "ensure_may_flag",
    "ensure_may_open_case",
    "ensure_may_record_intake",
    "ensure_may_write",
    "handover_candidates",
    "lead_case",
    "may_raise",
    "my_cases",
    "open_break_glass",
    "open_case",
    "open_case_from_identification",
    "raise_flag",
    "read_case",
    "record_decision",
    "record_identification",
    "reflection_minimum",
    "reflection_too_short",
    "region_overview",
    "remove_document",
    "resolve_flag",
    "save_age_assessment",
    "save_guardian",
    "save_investigation",
    "save_migration",
    "save_placement",
    "update_identity",
]
