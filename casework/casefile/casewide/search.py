"""Finding cases by the child's name and date of birth, through blind indexes.

Order: permission (denied: audited, NotPermitted) -> a query with a word of at least
two letters (else QueryTooShort: nothing read, nothing scanned) -> tokens -> candidates,
joined in SQL with the caller's active team memberships, so that no other team's case
is even decrypted -> decrypt and re-check, since truncated tokens match other values
too -> audit -> commit.

Only cases whose support team the caller is on are shown, and other matches are not
reported, not even as a count: a count would tell any searcher whether a named child is
known to Casework at all, an existence oracle that an insider working for an exploiter
could use to learn that a child has been identified or has come forward. Finding
duplicates across teams belongs with coordinators (docs/encryption.md).

Audit: one `search` event per case shown, naming its reference, since the result shows
that case's identity; or, when none is shown, one `search` event without a case. The
events of one search share its request id; they never hold the terms or the tokens.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import and_, exists, intersect, or_, select
from sqlalchemy.orm import Session

from casework import clock
from casework.access.caller import Caller
from casework.access.errors import NotPermitted
from casework.access.guard import deny
from casework.access.permissions import FieldGroup, Permission
from casework.access.policy import AccessLevel, current_policy
from casework.audit.events import Action, record
from casework.casefile.casewide.opening import NewChild
from casework.casefile.readable import identity_readout, readable
from casework.casefile.readouts import IdentityReadout
from casework.crypto.blind_index import DATE, NAME, name_terms
from casework.crypto.blind_index import MIN_TERM_LENGTH as MIN_TERM_LENGTH
from casework.crypto.fields import owning_case_id
from casework.crypto.keyring import current_keyring
from casework.crypto.registry import EncryptedModel, encrypted_models
from casework.models.base import Base
from casework.models.blind_index import BlindIndexEntry
from casework.models.case import Case, Child
from casework.models.team import TeamMembership

# Few enough to read, and to limit how many children's identities one search discloses.
MAX_RESULTS = 20
# Candidates read and decrypted per page of the re-check.
VERIFY_CHUNK = 40


def searchable(name: str) -> bool:
    """Whether `name` has a word long enough to search for (MIN_TERM_LENGTH letters)."""
    return bool(name_terms(name))


class QueryTooShort(ValueError):
    """No word of two letters or more: such a search would list almost every case."""


@dataclass(frozen=True)
class SearchQuery:
    name: str
    date_of_birth: date | None = None


@dataclass(frozen=True)
class SearchHit:
    id: uuid.UUID
    reference: str
    status: str
    identity: IdentityReadout


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[SearchHit, ...]
    more: bool  # more cases matched than are shown


def may_search(caller: Caller) -> bool:
    policy = current_policy()
    return (
        policy.allows(caller.role, Permission.CASE_SEARCH)
        and policy.level(caller.role, FieldGroup.IDENTITY) >= AccessLevel.READ
    )


def ensure_may_search(session: Session, caller: Caller) -> None:
    """Raise NotPermitted (and record the denial) unless the caller may search."""
    if not may_search(caller):
        deny(session, caller)
        raise NotPermitted(Permission.CASE_SEARCH)


def search_cases(session: Session, caller: Caller, query: SearchQuery) -> SearchResult:
    """The caller's cases whose child has every word of the name (and the date of birth)."""
    ensure_may_search(session, caller)
    words = name_terms(query.name)
    if not words:
        raise QueryTooShort(query.name)
    models = encrypted_models(Base.registry)
    candidates = _candidates(session, caller, models, words, query.date_of_birth)
    matches, rows = _verified(session, models, candidates, words, query.date_of_birth)
    hits = _hits(matches[:MAX_RESULTS], rows)
    groups = [FieldGroup.IDENTITY]
    for reference in [hit.reference for hit in hits] or [""]:
        record(
            session,
            Action.SEARCH,
            caller.actor,
            case_ref=reference,
            field_groups=groups,
            context=caller.context,
        )
    session.commit()
    return SearchResult(hits=tuple(hits), more=len(matches) > MAX_RESULTS)


def possible_duplicates(session: Session, caller: Caller, child: NewChild) -> SearchResult | None:
    """Cases on the caller's teams that may be about the same child; None when the
    caller may not search or the names are too short to look up."""
    if not may_search(caller):
        return None
    query = SearchQuery(f"{child.given_name} {child.family_name}", child.date_of_birth)
    try:
        return search_cases(session, caller, query)
    except QueryTooShort:
        return None


def _term_lookups(
    models: Iterable[EncryptedModel], words: frozenset[str], born: date | None
) -> list[list[tuple[str, int]]]:
    """For each term of the query, the (index field, token) pairs that may hold it: each
    word in every name field, the date of birth in every date field."""
    indexer = current_keyring().indexer
    terms = [(NAME, word) for word in sorted(words)]
    if born is not None:
        terms.append((DATE, born.isoformat()))
    return [
        [
            (field, indexer.token(field, index.bits, term))
            for model in models
            for field, _, index in model.indexed(kind)
        ]
        for kind, term in terms
    ]


def _candidates(
    session: Session,
    caller: Caller,
    models: list[EncryptedModel],
    words: frozenset[str],
    born: date | None,
) -> list[uuid.UUID]:
    """Cases on the caller's active teams having a token of every term (INTERSECT), in
    reference order. Sorted here, not in SQL: with ORDER BY and LIMIT a planner may walk
    every case in reference order instead of starting from the few tokens."""
    entry, member, day = BlindIndexEntry, TeamMembership, clock.today()
    lookups = _term_lookups(models, words, born)
    if not all(lookups):
        return []  # a term no field can hold, e.g. a date when no date is indexed
    per_term = [
        select(entry.case_id).where(
            or_(*(and_(entry.field == f, entry.token == t) for f, t in pairs))
        )
        for pairs in lookups
    ]
    found = (intersect(*per_term) if len(per_term) > 1 else per_term[0]).subquery()
    # Correlated, so each candidate is checked through the index on case_id, rather than
    # listing every membership of a user who may be on thousands of teams.
    on_my_team = exists().where(
        member.case_id == Case.id,
        member.user_id == caller.user.id,
        member.starts_on <= day,
        or_(member.ends_on.is_(None), member.ends_on > day),
    )
    rows = session.execute(
        select(Case.id, Case.reference).join(found, found.c.case_id == Case.id).where(on_my_team)
    )
    return [case_id for case_id, _ in sorted(rows, key=lambda row: row.reference)]


def _verified(
    session: Session,
    models: list[EncryptedModel],
    case_ids: list[uuid.UUID],
    words: frozenset[str],
    born: date | None,
) -> tuple[list[Case], dict[uuid.UUID, list[Any]]]:
    """The candidates whose decrypted values really hold every word (and the date), and
    the rows read to check them. Decrypts a page of candidates at a time and stops once
    more match than can be shown: a common name costs a few dozen decryptions."""
    needed: set[Any] = set(words) | ({born} if born else set())
    matches: list[Case] = []
    rows: dict[uuid.UUID, list[Any]] = {}
    for start in range(0, len(case_ids), VERIFY_CHUNK):
        page = case_ids[start : start + VERIFY_CHUNK]
        # The page's cases come first, so each row finds its case's key in the identity map.
        cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(page)))}
        terms, page_rows = _decrypted_terms(session, models, page)
        rows.update(page_rows)
        matches += [cases[c] for c in page if c in cases and needed <= terms[c]]
        if len(matches) > MAX_RESULTS:
            break
    return matches, rows


def _decrypted_terms(
    session: Session, models: list[EncryptedModel], case_ids: list[uuid.UUID]
) -> tuple[dict[uuid.UUID, set[Any]], dict[uuid.UUID, list[Any]]]:
    """Per case: the normalised words and dates its indexed fields hold, and its rows."""
    terms: dict[uuid.UUID, set[Any]] = defaultdict(set)
    rows: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for model in models:
        names = [f.name for _, f, _ in model.indexed(NAME)]
        dates = [f.name for _, f, _ in model.indexed(DATE)]
        if not names and not dates:
            continue
        owner = getattr(model.model, model.case_column)
        for row in session.scalars(select(model.model).where(owner.in_(case_ids))):
            case_id = owning_case_id(row)
            rows[case_id].append(row)
            for value in (readable(row, n) for n in names):
                terms[case_id].update(name_terms(value) if isinstance(value, str) else ())
            dated = (readable(row, d) for d in dates)
            terms[case_id].update(v for v in dated if isinstance(v, date))
    return terms, rows


def _hits(cases: list[Case], rows: dict[uuid.UUID, list[Any]]) -> list[SearchHit]:
    day, hits = clock.today(), []
    for case in cases:
        child = next((r for r in rows[case.id] if isinstance(r, Child)), None)
        if child is not None:
            identity = identity_readout(child, AccessLevel.READ, day)
            hits.append(SearchHit(case.id, case.reference, case.status, identity))
    return hits
