"""The tables statistics publish, built from de-identified records and protected by
casework/casefile/statistics/disclosure.py before anyone sees them.

Every table is a grid of counts with the margins its structure allows: a cross-table
of one answer per child has row and column totals; a table where a child may count in
several rows (forms of exploitation, measures) has row totals only. Categories come
from config/codes.toml, all of them, so that which rows appear reveals nothing; an
answer not recorded is its own category, distinct from "not yet known".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from casework.casefile.statistics.disclosure import Grid, Perturbation, build_grid, suppress
from casework.casefile.statistics.record import Stat
from casework.codes import ONLINE_AS, CodeList, current_codes

NOT_RECORDED = "not_recorded"


@dataclass(frozen=True)
class Table:
    """A published table: None marks a suppressed value."""

    key: str
    row_list: str
    col_list: str
    rows: tuple[str, ...]
    cols: tuple[str, ...]
    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...] | None
    col_totals: tuple[int | None, ...] | None
    grand_total: int | None
    has_grand_total: bool
    # A share of the row (percent) for one column, shown only on a base of at least k.
    share_col: int | None = None
    shares: tuple[float | None, ...] | None = None
    year: int | None = None

    @property
    def suppressed_count(self) -> int:
        hidden = sum(v is None for row in self.cells for v in row)
        hidden += sum(v is None for v in self.row_totals or ())
        hidden += sum(v is None for v in self.col_totals or ())
        return hidden + (1 if self.has_grand_total and self.grand_total is None else 0)

    @property
    def is_empty(self) -> bool:
        return all(v == 0 for row in self.cells for v in row)


@dataclass(frozen=True)
class Median:
    """Days from identification to an event: its base and median (None if too few)."""

    measure: str
    base: int | None
    median: float | None


@dataclass(frozen=True)
class Tables:
    children: int | None
    identifications: tuple[Table, ...]
    exploitation: Table
    residence: Table
    team: Table
    measures: Table
    medians: tuple[Median, ...]
    non_punishment: Table
    assessed: Table
    missing: Table
    missing_medians: tuple[Median, ...]

    def all(self) -> tuple[Table, ...]:
        return (
            *self.identifications,
            self.exploitation,
            self.residence,
            self.team,
            self.measures,
            self.non_punishment,
            self.assessed,
            self.missing,
        )


def codes(name: CodeList) -> tuple[str, ...]:
    return current_codes().lists.codes(name)


def _or(value: str | None) -> str:
    return value or NOT_RECORDED


# What one record adds to the tables: (table, row, column) counts and (median, value)s.
Pairs = tuple[tuple[str, str, str], ...]
Values = tuple[tuple[str, int], ...]


def contribution(stat: Stat) -> tuple[Pairs, Values]:
    """Everything one record counts in, so that tables can be summed from groups of
    records without going back to the records."""
    pairs: list[tuple[str, str, str]] = []
    if stat.year is not None:
        pairs.append((f"identifications-{stat.year}", _or(stat.actor), _or(stat.context)))
        pairs.append(("residence", _or(stat.residence), str(stat.year)))
    pairs += [("exploitation", k, "ict" if k in stat.ict else "not_ict") for k in stat.exploitation]
    pairs += [("team", code, "yes") for code in stat.team]
    pairs += [("measures", m, outcome) for m, outcome in stat.measures.items()]
    for stage, outcome, before in stat.non_punishment:
        pairs.append(("non-punishment", stage, outcome or "undecided"))
        if outcome is not None:
            pairs.append(("assessed", outcome, "before" if before else "not_before"))
    if stat.missing:
        pairs.append(("missing", "missing", "yes"))
    values: list[tuple[str, int]] = []
    for name, days in (
        ("lead", stat.days_to_lead),
        ("guardian", stat.days_to_guardian),
        ("measure", stat.days_to_measure),
    ):
        if days is not None:
            values.append((name, days))
    if stat.missing:
        values.append(("episodes", len(stat.missing)))
        values += [("duration", d) for d in stat.missing if d is not None]
    return tuple(pairs), tuple(values)


@dataclass
class Partial:
    """The counts of a group of records: how many, their keys' sum, and every cell."""

    count: int = 0
    key_sum: int = 0
    cells: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    values: Counter[tuple[str, int]] = field(default_factory=Counter)

    def add(self, key: int, pairs: Pairs, values: Values, sign: int = 1) -> None:
        """Count a record in (sign 1) or take it out again (sign -1)."""
        if sign not in (1, -1):
            raise ValueError("a record counts once, in or out")
        self.count += sign
        self.key_sum += sign * key
        # Counter.update and .subtract count an iterable's elements (a child may hold
        # the same cell twice) in one loop each, the bulk of a first refresh.
        if sign == 1:
            self.cells.update(pairs)
            self.values.update(values)
        else:
            self.cells.subtract(pairs)
            self.values.subtract(values)

    def add_all(self, records: Iterable[tuple[int, Pairs, Values]]) -> None:
        """Count many records in at once: (record key, pairs, values) each."""
        keys: list[int] = []
        cells: list[tuple[str, str, str]] = []
        values: list[tuple[str, int]] = []
        for key, pairs, found in records:
            keys.append(key)
            cells.extend(pairs)
            values.extend(found)
        self.count += len(keys)
        self.key_sum += sum(keys)
        self.cells.update(cells)
        self.values.update(values)

    def merge(self, other: Partial) -> None:
        self.count += other.count
        self.key_sum += other.key_sum
        self.cells.update(other.cells)
        self.values.update(other.values)

    @classmethod
    def of(cls, records: Sequence[Stat]) -> Partial:
        total = cls()
        for stat in records:
            total.add(stat.key, *contribution(stat))
        return total


class Builder:
    def __init__(self, partial: Partial, perturbation: Perturbation, k: int) -> None:
        self.partial = partial
        self.p = perturbation
        self.k = k
        self.base_true = partial.count
        self.base = perturbation.perturb(partial.count, "children", "", "")

    def cross(
        self,
        key: str,
        row_list: str,
        col_list: str,
        rows: Sequence[str],
        cols: Sequence[str],
        *,
        row_totals: bool = True,
        col_totals: bool = True,
        share_col: int | None = None,
        year: int | None = None,
    ) -> Table:
        cells = self.partial.cells
        truth = [[cells.get((key, r, c), 0) for c in cols] for r in rows]
        perturbed = [
            [self.p.perturb(truth[i][j], key, rows[i], cols[j]) for j in range(len(cols))]
            for i in range(len(rows))
        ]
        grid = build_grid(truth, perturbed, row_totals=row_totals, col_totals=col_totals)
        return self._publish(key, row_list, col_list, rows, cols, grid, share_col, year)

    def yes_no(self, key: str, row_list: str, rows: Sequence[str]) -> Table:
        """Per row: children with it, without it, and all children in the selection."""
        truth = []
        perturbed = []
        for code in rows:
            yes_true = self.partial.cells.get((key, code, "yes"), 0)
            truth.append([yes_true, self.base_true - yes_true])
            yes = min(self.p.perturb(yes_true, key, code, "yes"), self.base)
            perturbed.append([yes, self.base - yes])
        grid = build_grid(
            truth,
            perturbed,
            row_totals=True,
            col_totals=False,
            shared_total=self.base,
            shared_truth=self.base_true,
        )
        return self._publish(key, row_list, "yes_no", rows, ("yes", "no"), grid, 0, None)

    def _publish(
        self,
        key: str,
        row_list: str,
        col_list: str,
        rows: Sequence[str],
        cols: Sequence[str],
        grid: Grid,
        share_col: int | None,
        year: int | None,
    ) -> Table:
        hidden = suppress(grid, self.k)
        shown = [
            [None if (r, c) in hidden else v for c, v in enumerate(row)]
            for r, row in enumerate(grid.values)
        ]
        n_rows, n_cols = len(rows), len(cols)
        cells = tuple(tuple(row[:n_cols]) for row in shown[:n_rows])
        row_totals = tuple(row[n_cols] for row in shown[:n_rows]) if grid.row_totals else None
        col_totals = tuple(shown[n_rows][:n_cols]) if grid.col_totals else None
        both = grid.row_totals and grid.col_totals
        grand = shown[n_rows][n_cols] if both else None
        shares = None
        if share_col is not None and row_totals is not None:
            shares = tuple(
                _share(cells[i][share_col], row_totals[i], self.k) for i in range(n_rows)
            )
        return Table(
            key=key,
            row_list=row_list,
            col_list=col_list,
            rows=tuple(rows),
            cols=tuple(cols),
            cells=cells,
            row_totals=row_totals,
            col_totals=col_totals,
            grand_total=grand,
            has_grand_total=both,
            share_col=share_col,
            shares=shares,
            year=year,
        )

    def median(self, measure: str) -> Median:
        histogram = sorted(
            (value, n)
            for (name, value), n in self.partial.values.items()
            if name == measure and n > 0
        )
        known = sum(n for _v, n in histogram)
        base = self.p.perturb(known, "median", measure, "")
        if known < self.k or base < self.k:
            return Median(measure, None, None)
        return Median(measure, base, _median(histogram, known))


def _median(histogram: list[tuple[int, int]], total: int) -> float:
    """The median of values given as (value, how many), sorted by value."""
    lower_rank, upper_rank = (total - 1) // 2, total // 2
    lower = upper = None
    seen = 0
    for value, n in histogram:
        if lower is None and seen + n > lower_rank:
            lower = value
        if seen + n > upper_rank:
            upper = value
            break
        seen += n
    if lower is None or upper is None:
        raise ValueError("a histogram smaller than its total")
    return (lower + upper) / 2


def _share(part: int | None, whole: int | None, k: int) -> float | None:
    if part is None or whole is None or whole < k:
        return None
    return round(100.0 * part / whole, 1)


def build_tables(records: Sequence[Stat], perturbation: Perturbation, k: int) -> Tables:
    """Every table over these records (for tests and small selections)."""
    return tables_of(Partial.of(records), perturbation, k)


def tables_of(partial: Partial, perturbation: Perturbation, k: int) -> Tables:
    b = Builder(partial, perturbation, k)
    actors = (*codes(CodeList.IDENTIFYING_ACTOR), NOT_RECORDED)
    contexts = (*codes(CodeList.IDENTIFICATION_CONTEXT), NOT_RECORDED)
    years = sorted(
        {
            int(t.split("-", 1)[1])
            for (t, _r, _c), n in partial.cells.items()
            if n > 0 and t.startswith("identifications-")
        }
    )
    identifications = tuple(
        b.cross(
            f"identifications-{year}",
            "identifying_actor",
            "identification_context",
            actors,
            contexts,
            year=year,
        )
        for year in years
    )
    kinds = tuple(c for c in codes(CodeList.EXPLOITATION_TYPE) if c not in ONLINE_AS)
    exploitation = b.cross(
        "exploitation",
        "exploitation_type",
        "ict",
        kinds,
        ("ict", "not_ict"),
        col_totals=False,
        share_col=0,
    )
    residences = (*codes(CodeList.RESIDENCE_STATUS), NOT_RECORDED)
    year_cols = tuple(str(y) for y in years) or ("none",)
    residence = b.cross("residence", "residence_status", "year", residences, year_cols)
    team = b.yes_no("team", "actor_type", codes(CodeList.ACTOR_TYPE))
    measures = b.cross(
        "measures",
        "measure_type",
        "measure_outcome",
        codes(CodeList.MEASURE_TYPE),
        codes(CodeList.MEASURE_OUTCOME),
        col_totals=False,
    )
    medians = (b.median("lead"), b.median("guardian"), b.median("measure"))
    outcomes = (*codes(CodeList.NON_PUNISHMENT_OUTCOME), "undecided")
    non_punishment = b.cross(
        "non-punishment",
        "non_punishment_stage",
        "non_punishment_outcome",
        codes(CodeList.NON_PUNISHMENT_STAGE),
        outcomes,
    )
    assessed = b.cross(
        "assessed",
        "non_punishment_outcome",
        "assessed",
        codes(CodeList.NON_PUNISHMENT_OUTCOME),
        ("before", "not_before"),
        share_col=0,
    )
    missing = b.yes_no("missing", "missing", ("missing",))
    missing_medians = (b.median("episodes"), b.median("duration"))
    children = b.base if b.base >= k and b.base_true >= k else None
    return Tables(
        children=children,
        identifications=identifications,
        exploitation=exploitation,
        residence=residence,
        team=team,
        measures=measures,
        medians=medians,
        non_punishment=non_punishment,
        assessed=assessed,
        missing=missing,
        missing_medians=missing_medians,
    )
