"""The tables statistics publish, built from de-identified records and protected by
casework/casefile/statistics/disclosure.py before anyone sees them.

Every table is a grid of counts with the margins its structure allows: a cross-table
of one answer per child has row and column totals; a table where a child may count in
several rows (forms of exploitation, measures) has row totals only. Categories come
from config/codes.toml, all of them, so that which rows appear reveals nothing; an
answer not recorded is its own category, distinct from "not yet known".
"""

from __future__ import annotations

import statistics as pystats
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from casework.casefile.statistics.disclosure import Grid, Perturbation, build_grid, suppress
from casework.casefile.statistics.record import Stat
from casework.codes import CodeList, current_codes

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


class Builder:
    def __init__(self, records: Sequence[Stat], perturbation: Perturbation, k: int) -> None:
        self.records = records
        self.p = perturbation
        self.k = k
        self.base_true = len(records)
        self.base = perturbation.perturb(len(records), "children", "", "")

    def cross(
        self,
        key: str,
        row_list: str,
        col_list: str,
        rows: Sequence[str],
        cols: Sequence[str],
        pairs: Callable[[Stat], Sequence[tuple[str, str]]],
        *,
        row_totals: bool = True,
        col_totals: bool = True,
        share_col: int | None = None,
        records: Sequence[Stat] | None = None,
        year: int | None = None,
    ) -> Table:
        index_r = {code: i for i, code in enumerate(rows)}
        index_c = {code: i for i, code in enumerate(cols)}
        truth = [[0] * len(cols) for _ in rows]
        for stat in self.records if records is None else records:
            for r, c in pairs(stat):
                if r in index_r and c in index_c:  # a code no longer listed is not counted
                    truth[index_r[r]][index_c[c]] += 1
        perturbed = [
            [self.p.perturb(truth[i][j], key, rows[i], cols[j]) for j in range(len(cols))]
            for i in range(len(rows))
        ]
        grid = build_grid(truth, perturbed, row_totals=row_totals, col_totals=col_totals)
        return self._publish(key, row_list, col_list, rows, cols, grid, share_col, year)

    def yes_no(
        self, key: str, row_list: str, rows: Sequence[str], has: Callable[[Stat, str], bool]
    ) -> Table:
        """Per row: children with it, without it, and all children in the selection."""
        truth = [[sum(1 for s in self.records if has(s, code)), 0] for code in rows]
        perturbed = []
        for i, code in enumerate(rows):
            truth[i][1] = self.base_true - truth[i][0]
            yes = min(self.p.perturb(truth[i][0], key, code, "yes"), self.base)
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

    def median(self, measure: str, values: Sequence[int | None]) -> Median:
        known = [v for v in values if v is not None]
        base = self.p.perturb(len(known), "median", measure, "")
        if len(known) < self.k or base < self.k:
            return Median(measure, None, None)
        return Median(measure, base, float(pystats.median(known)))


def _share(part: int | None, whole: int | None, k: int) -> float | None:
    if part is None or whole is None or whole < k:
        return None
    return round(100.0 * part / whole, 1)


def _or(value: str | None) -> str:
    return value or NOT_RECORDED


def build_tables(records: Sequence[Stat], perturbation: Perturbation, k: int) -> Tables:
    b = Builder(records, perturbation, k)
    actors = (*codes(CodeList.IDENTIFYING_ACTOR), NOT_RECORDED)
    contexts = (*codes(CodeList.IDENTIFICATION_CONTEXT), NOT_RECORDED)
    years = sorted({s.year for s in records if s.year is not None})
    identifications = tuple(
        b.cross(
            f"identifications-{year}",
            "identifying_actor",
            "identification_context",
            actors,
            contexts,
            lambda s: [(_or(s.actor), _or(s.context))],
            records=[s for s in records if s.year == year],
            year=year,
        )
        for year in years
    )
    kinds = tuple(c for c in codes(CodeList.EXPLOITATION_TYPE) if c != "online_sexual")
    exploitation = b.cross(
        "exploitation",
        "exploitation_type",
        "ict",
        kinds,
        ("ict", "not_ict"),
        lambda s: [(kind, "ict" if kind in s.ict else "not_ict") for kind in s.exploitation],
        col_totals=False,
        share_col=0,
    )
    residences = (*codes(CodeList.RESIDENCE_STATUS), NOT_RECORDED)
    year_cols = tuple(str(y) for y in years) or ("none",)
    residence = b.cross(
        "residence",
        "residence_status",
        "year",
        residences,
        year_cols,
        lambda s: [(_or(s.residence), str(s.year))] if s.year is not None else [],
    )
    team = b.yes_no("team", "actor_type", codes(CodeList.ACTOR_TYPE), lambda s, c: c in s.team)
    measures = b.cross(
        "measures",
        "measure_type",
        "measure_outcome",
        codes(CodeList.MEASURE_TYPE),
        codes(CodeList.MEASURE_OUTCOME),
        lambda s: list(s.measures.items()),
        col_totals=False,
    )
    medians = (
        b.median("lead", [s.days_to_lead for s in records]),
        b.median("guardian", [s.days_to_guardian for s in records]),
        b.median("measure", [s.days_to_measure for s in records]),
    )
    outcomes = (*codes(CodeList.NON_PUNISHMENT_OUTCOME), "undecided")
    non_punishment = b.cross(
        "non-punishment",
        "non_punishment_stage",
        "non_punishment_outcome",
        codes(CodeList.NON_PUNISHMENT_STAGE),
        outcomes,
        lambda s: [(stage, outcome or "undecided") for stage, outcome, _b in s.non_punishment],
    )
    assessed = b.cross(
        "assessed",
        "non_punishment_outcome",
        "assessed",
        codes(CodeList.NON_PUNISHMENT_OUTCOME),
        ("before", "not_before"),
        lambda s: [
            (outcome, "before" if before else "not_before")
            for _stage, outcome, before in s.non_punishment
            if outcome is not None
        ],
        col_totals=True,
        share_col=0,
    )
    missing = b.yes_no("missing", "missing", ("missing",), lambda s, _c: bool(s.missing))
    missing_medians = (
        b.median("episodes", [len(s.missing) if s.missing else None for s in records]),
        b.median("duration", [d for s in records for d in s.missing]),
    )
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
