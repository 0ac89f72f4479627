"""The auditor's CSV export of a filtered view of the log.

Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a
formula, so such cells get a leading apostrophe (OWASP's advice on CSV injection): a
user name like "-2+3" or a crafted value can never run in the auditor's spreadsheet.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from casework.audit.chain import format_time
from casework.audit.queries import EventRow

COLUMNS = (
    "sequence",
    "time_utc",
    "user",
    "role",
    "organisation_id",
    "organisation",
    "action",
    "case_reference",
    "field_groups",
    "outcome",
    "request_id",
    "client_address",
    "event_hash",
    # Added after the others, so exports read by older spreadsheets keep their columns.
    "account_concerned",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_text(rows: Iterable[EventRow], organisations: dict[str, str]) -> str:
    """UTF-8 with a byte-order mark, so spreadsheets read names with diacritics right."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in rows:
        cells = (
            r.seq,
            format_time(r.occurred_at),
            r.actor,
            r.actor_role,
            r.organisation,
            organisations.get(r.organisation, ""),
            r.action,
            r.case_ref,
            ",".join(r.field_groups),
            r.outcome,
            r.request_id,
            r.client_addr,
            r.event_hash,
            r.subject,
        )
        writer.writerow([safe_cell(c) for c in cells])
    return "\ufeff" + buffer.getvalue()
