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
from casework.casefile.casewide.newchild import NewChild
from casework.casefile.readable import identity_readout, readable
from casework.casefile.readouts import IdentityReadout
from casework.crypto.blind_index import DATE, DOCUMENT, NAME, document_term, name_terms, name_words
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


def searchable_document(number: str) -> bool:
    """Whether `number` has enough letters and digits to search for."""
    return len(document_term(number)) >= MIN_TERM_LENGTH


# One term of a query: the (kind, term) pairs any of which satisfies it, e.g. a Cyrillic
# word and its romanisations, each looked up in every name field.
Alternatives = frozenset[tuple[str, Any]]


def query_terms(
    name: str = "", born: date | None = None, document_number: str = ""
) -> list[Alternatives]:
    """Every term a case must hold to match: each word of the name (in one of its
    spellings), the date of birth, the document number."""
    terms: list[Alternatives] = [
        frozenset((NAME, form) for form in forms) for forms in name_words(name)
    ]
    if born is not None:
        terms.append(frozenset({(DATE, born)}))
    if document_number and searchable_document(document_number):
        terms.append(frozenset({(DOCUMENT, document_term(document_number))}))
    return terms


class QueryTooShort(ValueError):
    """No word of two letters or more: such a search would list almost every case."""


@dataclass(frozen=True)
class SearchQuery:
    name: str
    date_of_birth: date | None = None
    document_number: str = ""


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
    """The caller's cases whose child has every word of the name (under any of its
    names and aliases, in any standard spelling), the date of birth and the document
    number asked for."""
    ensure_may_search(session, caller)
    if not name_terms(query.name) and not searchable_document(query.document_number):
        raise QueryTooShort(query.name)
    terms = query_terms(query.name, query.date_of_birth, query.document_number)
    models = encrypted_models(Base.registry)
    candidates = candidate_cases(session, models, terms, member=caller.user.id)
    matches, rows = verified(session, models, candidates, terms, stop_after=MAX_RESULTS)
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
    """Cases on the caller's teams that may be about the same child: the same names
    (and date of birth), or the same number of one of the child's documents; None when
    the caller may not search or there is nothing long enough to look up."""
    if not may_search(caller):
        return None
    queries = [
        SearchQuery(f"{child.given_name} {child.family_name}", child.date_of_birth),
        *(SearchQuery("", document_number=n) for n in child.document_numbers()),
    ]
    found: dict[uuid.UUID, SearchHit] = {}
    more, searched = False, False
    for query in queries:
        try:
            result = search_cases(session, caller, query)
        except QueryTooShort:
            continue
        searched = True
        more = more or result.more
        for hit in result.hits:
            found.setdefault(hit.id, hit)
    if not searched:
        return None
    hits = tuple(found.values())
    return SearchResult(hits=hits[:MAX_RESULTS], more=more or len(hits) > MAX_RESULTS)


def _token_lookups(
    models: Iterable[EncryptedModel], terms: list[Alternatives]
) -> list[list[tuple[str, int]]]:
    """For each term of the query, the (index field, token) pairs that may hold it: each
    spelling of a word in every name field, a date in every date field, a document
    number in every document field."""
    indexer = current_keyring().indexer
    lookups = []
    for alternatives in terms:
        pairs = {
            (field, indexer.token(field, index.bits, _term_text(term)))
            for kind, term in sorted(alternatives, key=str)
            for model in models
            for field, _, index in model.indexed(kind)
        }
        lookups.append(sorted(pairs))
    return lookups


def _term_text(term: Any) -> str:
    return term.isoformat() if isinstance(term, date) else str(term)


def candidate_cases(
    session: Session,
    models: list[EncryptedModel],
    terms: list[Alternatives],
    member: uuid.UUID | None = None,
    limit: int | None = None,
    not_member: uuid.UUID | None = None,
) -> list[uuid.UUID]:
    """Cases having a token of every term (INTERSECT), in reference order; with
    `member`, only cases on that user's active teams; with `not_member`, only cases on
    none of them; with `limit`, at most that many.
    Sorted here, not in SQL: with ORDER BY and LIMIT a planner may walk every case in
    reference order instead of starting from the few tokens."""
    entry, team, day = BlindIndexEntry, TeamMembership, clock.today()
    lookups = _token_lookups(models, terms)
    if not lookups or not all(lookups):
        return []  # a term no field can hold, e.g. a date when no date is indexed
    per_term = [
        select(entry.case_id).where(
            or_(*(and_(entry.field == f, entry.token == t) for f, t in pairs))
        )
        for pairs in lookups
    ]
    found = (intersect(*per_term) if len(per_term) > 1 else per_term[0]).subquery()
    query = select(Case.id, Case.reference).join(found, found.c.case_id == Case.id)
    for user_id, wanted in ((member, True), (not_member, False)):
        if user_id is None:
            continue
        # Correlated, so each candidate is checked through the index on case_id, rather
        # than listing every membership of a user who may be on thousands of teams.
        on_team = exists().where(
            team.case_id == Case.id,
            team.user_id == user_id,
            team.starts_on <= day,
            or_(team.ends_on.is_(None), team.ends_on > day),
        )
        query = query.where(on_team if wanted else ~on_team)
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query)
    return [case_id for case_id, _ in sorted(rows, key=lambda row: row.reference)]


def verified(
    session: Session,
    models: list[EncryptedModel],
    case_ids: list[uuid.UUID],
    terms: list[Alternatives],
    stop_after: int | None = None,
) -> tuple[list[Case], dict[uuid.UUID, list[Any]]]:
    """The candidates whose decrypted values really hold every term, and the rows read
    to check them. Decrypts a page of candidates at a time and, with `stop_after`, stops
    once more match than that: a common name costs a few dozen decryptions."""
    matches: list[Case] = []
    rows: dict[uuid.UUID, list[Any]] = {}
    models = models_holding(models, terms)
    for start in range(0, len(case_ids), VERIFY_CHUNK):
        page = case_ids[start : start + VERIFY_CHUNK]
        # The page's cases come first, so each row finds its case's key in the identity map.
        cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(page)))}
        held, page_rows = _decrypted_terms(session, models, page)
        rows.update(page_rows)
        matches += [
            cases[c]
            for c in page
            if c in cases and all(alternatives & held[c] for alternatives in terms)
        ]
        if stop_after is not None and len(matches) > stop_after:
            break
    return matches, rows


def models_holding(models: list[EncryptedModel], terms: list[Alternatives]) -> list[EncryptedModel]:
    """The models with a field of a kind the terms ask for, and the child (whose row the
    hits are shown from): a name search decrypts no identity document."""
    kinds = {kind for alternatives in terms for kind, _ in alternatives}
    return [m for m in models if m.model is Child or any(m.indexed(kind) for kind in kinds)]


def _decrypted_terms(
    session: Session, models: list[EncryptedModel], case_ids: list[uuid.UUID]
) -> tuple[dict[uuid.UUID, set[tuple[str, Any]]], dict[uuid.UUID, list[Any]]]:
    """Per case: the (kind, term) pairs its indexed fields hold, and its rows."""
    held: dict[uuid.UUID, set[tuple[str, Any]]] = defaultdict(set)
    rows: dict[uuid.UUID, list[Any]] = defaultdict(list)
    for model in models:
        names = [f.name for _, f, _ in model.indexed(NAME)]
        dates = [f.name for _, f, _ in model.indexed(DATE)]
        documents = [f.name for _, f, _ in model.indexed(DOCUMENT)]
        if not names and not dates and not documents:
            continue
        owner = getattr(model.model, model.case_column)
        for row in session.scalars(select(model.model).where(owner.in_(case_ids))):
            case_id = owning_case_id(row)
            rows[case_id].append(row)
            terms = held[case_id]
            for value in (readable(row, n) for n in names):
                if isinstance(value, str):
                    terms.update((NAME, term) for term in name_terms(value))
            for value in (readable(row, d) for d in dates):
                if isinstance(value, date):
                    terms.add((DATE, value))
            for value in (readable(row, d) for d in documents):
                if isinstance(value, str):
                    terms.add((DOCUMENT, document_term(value)))
    return held, rows


def _hits(cases: list[Case], rows: dict[uuid.UUID, list[Any]]) -> list[SearchHit]:
    day, hits = clock.today(), []
    for case in cases:
        child = next((r for r in rows[case.id] if isinstance(r, Child)), None)
        if child is not None:
            identity = identity_readout(child, AccessLevel.READ, day)
            hits.append(SearchHit(case.id, case.reference, case.status, identity))
    return hits
