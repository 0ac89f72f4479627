"""Statistical disclosure control for published tables.

Three steps, for every table shown or exported:

1. Cell-key perturbation. Each statistical record carries a record key drawn from its
   contents and a salt of its own (record.py `keyed`). The selection's key is the sum
   of its records' keys (mod 2**32), so the same selection always has the same key and
   the same noise, however it was asked for; a selection that differs by one child, or
   by one change of one child's record, has an unrelated key. Each count of one or more gets noise
   from {-2, ..., +2}, drawn by an HMAC (keyed from the statistics key) of the
   selection's key, the table and the cell: repeating a query gives the same table, so
   averaging gains nothing, and subtracting two selections that differ by one child
   gives noise in every cell instead of that child's values. Zeros stay zero. Margins
   are the sums of the perturbed cells, so every table adds up.
2. Primary suppression: a cell or margin of one or more whose count, true or
   perturbed, is below k is shown as suppressed. A true zero is shown as 0: it names
   nobody, and hiding zeros would force whole margins out of every sparse table (a
   zero cell in an empty column can only be given room by hiding totals).
3. Secondary suppression: each suppressed cell is protected by a move: a rectangle of
   suppressed cells (a pair within a row, where a table has row totals only) along
   which values can shift by at least k without changing any published cell or total
   and without any cell going below zero. Where no such move exists, the whole table
   is suppressed. `tests/unit/test_statistics_disclosure.py` attacks the published
   tables with linear programming and finds every suppressed cell's range at least k.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

# Noise and its probabilities: P(-2) = P(+2) = 0.1, P(-1) = P(+1) = 0.2, P(0) = 0.4.
NOISE = ((0.1, -2), (0.3, -1), (0.7, 0), (0.9, 1), (1.0, 2))
NOISE_MAX = 2
KEY_SPACE = 2**32

Cell = tuple[int, int]


@dataclass(frozen=True)
class Perturbation:
    """What keys the noise of one selection's tables."""

    secret: bytes
    selection_key: int
    enabled: bool = True

    def noise(self, table: str, row: str, col: str) -> int:
        if not self.enabled:
            return 0
        message = f"{self.selection_key}|{table}|{row}|{col}".encode()
        digest = hmac.new(self.secret, message, hashlib.sha256).digest()
        u = int.from_bytes(digest[:8], "big") / 2**64
        for bound, value in NOISE:
            if u < bound:
                return value
        return NOISE[-1][1]

    def perturb(self, count: int, table: str, row: str, col: str) -> int:
        if count <= 0:
            return 0
        return max(0, count + self.noise(table, row, col))


def selection_key(record_keys: Sequence[int]) -> int:
    return sum(record_keys) % KEY_SPACE


@dataclass
class Grid:
    """A table's published values before suppression: interior cells and margins.

    `row_totals` / `col_totals` say which margins the table has (both: a grand total
    too). `shared_total`: every row total is the same number (the selection's count),
    as in a table of yes / no per row.
    """

    values: list[list[int]]
    truth: list[list[int]]
    row_totals: bool
    col_totals: bool
    shared_total: bool = False
    suppressed: set[Cell] = field(default_factory=set)

    @property
    def shape(self) -> tuple[int, int]:
        rows = len(self.values) - (1 if self.col_totals else 0)
        cols = len(self.values[0]) - (1 if self.row_totals else 0) if self.values else 0
        return rows, cols


def build_grid(
    truth: list[list[int]],
    perturbed: list[list[int]],
    *,
    row_totals: bool,
    col_totals: bool,
    shared_total: int | None = None,
    shared_truth: int | None = None,
) -> Grid:
    """Interior cells plus the margins asked for, margins as sums of the perturbed cells
    (or, with `shared_total`, every row's total the same perturbed count)."""
    values = [list(row) for row in perturbed]
    true = [list(row) for row in truth]
    if row_totals:
        for r, row in enumerate(values):
            if shared_total is not None:
                row.append(shared_total)
                true[r].append(shared_truth if shared_truth is not None else shared_total)
            else:
                row.append(sum(row))
                true[r].append(sum(true[r]))
    if col_totals and values:
        values.append([sum(col) for col in zip(*values, strict=True)])
        true.append([sum(col) for col in zip(*true, strict=True)])
    return Grid(values, true, row_totals, col_totals, shared_total is not None)


def _sign(grid: Grid, cell: Cell) -> int:
    rows, cols = grid.shape
    on_total_row = grid.col_totals and cell[0] == rows
    on_total_col = grid.row_totals and cell[1] == cols
    return -1 if on_total_row != on_total_col else 1


def _capacity(grid: Grid, corners: Sequence[tuple[Cell, int]]) -> float:
    """How far the values can shift along a move, both ways together (corners with
    their +1 / -1 in the move, first corner the cell to protect)."""
    first = corners[0]
    lead = first[1] * _sign(grid, first[0])
    up = down = math.inf
    for (r, c), eps in corners:
        delta = eps * _sign(grid, (r, c)) * lead
        value = grid.values[r][c]
        if delta < 0:
            up = min(up, value)
        else:
            down = min(down, value)
    return up + down


def _moves(grid: Grid, cell: Cell) -> list[list[tuple[Cell, int]]]:
    r, c = cell
    n_rows, n_cols = len(grid.values), len(grid.values[0])
    moves: list[list[tuple[Cell, int]]] = []
    if grid.row_totals and grid.col_totals:
        for r2 in range(n_rows):
            for c2 in range(n_cols):
                if r2 != r and c2 != c:
                    moves.append([((r, c), 1), ((r, c2), -1), ((r2, c), -1), ((r2, c2), 1)])
    elif grid.row_totals:
        last = n_cols - 1
        for c2 in range(n_cols):
            if c2 == c or (grid.shared_total and last in (c, c2)):
                continue
            moves.append([((r, c), 1), ((r, c2), -1)])
    elif grid.col_totals:
        for r2 in range(n_rows):
            if r2 != r:
                moves.append([((r, c), 1), ((r2, c), -1)])
    return moves


def suppress(grid: Grid, k: int) -> set[Cell]:
    """The cells to suppress (interior and margins): primary, then secondary."""
    primary = {
        (r, c)
        for r, row in enumerate(grid.values)
        for c, value in enumerate(row)
        if 0 < value < k or 0 < grid.truth[r][c] < k or (value == 0) != (grid.truth[r][c] == 0)
    }
    suppressed = set(primary)
    if grid.shared_total and grid.row_totals:
        last = len(grid.values[0]) - 1
        if any(c == last for _r, c in suppressed):  # the shared count itself is small
            return _everything(grid)
    if not (grid.row_totals or grid.col_totals):
        return suppressed
    protected: set[Cell] = set()
    for cell in sorted(primary):
        if cell in protected:
            continue
        best: tuple[tuple[int, int, int], list[tuple[Cell, int]]] | None = None
        for move in _moves(grid, cell):
            if _capacity(grid, move) < k:
                continue
            new = [corner for corner, _eps in move if corner not in suppressed]
            # Totals are worth most to readers: hide a cell rather than a total, and
            # few small cells rather than many or large ones.
            margins = sum(1 for corner in new if _is_margin(grid, corner))
            cost = (margins, len(new), sum(grid.values[r][c] for r, c in new))
            if best is None or cost < best[0]:
                best = (cost, move)
        if best is None:
            return _everything(grid)
        for corner, _eps in best[1]:
            suppressed.add(corner)
            protected.add(corner)
    return suppressed


def _is_margin(grid: Grid, cell: Cell) -> bool:
    rows, cols = grid.shape
    return (grid.col_totals and cell[0] == rows) or (grid.row_totals and cell[1] == cols)


def _everything(grid: Grid) -> set[Cell]:
    return {(r, c) for r, row in enumerate(grid.values) for c in range(len(row))}
