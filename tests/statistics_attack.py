"""An attacker's linear programme against published tables: for each suppressed value,
the least and the most it can be, given every published cell and total, the sums a
table's structure implies, and that no count is negative."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from scipy.optimize import linprog

from casework.casefile.statistics.disclosure import Grid

Value = int | None


def ranges(
    cells: Sequence[Sequence[Value]],
    row_totals: Sequence[Value] | None,
    col_totals: Sequence[Value] | None,
    grand_total: Value = None,
    *,
    has_grand_total: bool = False,
    shared_total: bool = False,
) -> dict[tuple[str, int, int], float]:
    """(kind, row, col) -> max - min for each suppressed value (math.inf if unbounded)."""
    variables: dict[tuple[str, int, int], int] = {}

    def term(kind: str, r: int, c: int, value: Value) -> tuple[int | None, float]:
        if value is not None:
            return None, float(value)
        if kind == "rt" and shared_total:
            r = 0  # every row total is the same number: one unknown
        key = (kind, r, c)
        if key not in variables:
            variables[key] = len(variables)
        return variables[key], 0.0

    equations: list[tuple[list[tuple[int | None, float]], list[tuple[int | None, float]]]] = []
    n_rows, n_cols = len(cells), len(cells[0]) if cells else 0
    if row_totals is not None:
        for r in range(n_rows):
            left = [term("c", r, c, cells[r][c]) for c in range(n_cols)]
            equations.append((left, [term("rt", r, 0, row_totals[r])]))
    if col_totals is not None:
        for c in range(n_cols):
            left = [term("c", r, c, cells[r][c]) for r in range(n_rows)]
            equations.append((left, [term("ct", 0, c, col_totals[c])]))
    if has_grand_total and row_totals is not None and col_totals is not None:
        g = [term("g", 0, 0, grand_total)]
        equations.append(([term("rt", r, 0, row_totals[r]) for r in range(n_rows)], g))
        equations.append(([term("ct", 0, c, col_totals[c]) for c in range(n_cols)], g))
    # Every suppressed value gets a variable, even one no equation mentions.
    for r in range(n_rows):
        for c in range(n_cols):
            term("c", r, c, cells[r][c])
    n = len(variables)
    if n == 0:
        return {}
    a_eq, b_eq = [], []
    for left, right in equations:
        row = np.zeros(n)
        constant = 0.0
        for index, value in left:
            if index is None:
                constant -= value
            else:
                row[index] += 1
        for index, value in right:
            if index is None:
                constant += value
            else:
                row[index] -= 1
        if row.any():
            a_eq.append(row)
            b_eq.append(constant)
    found: dict[tuple[str, int, int], float] = {}
    for key, index in variables.items():
        objective = np.zeros(n)
        objective[index] = 1
        kwargs = {"A_eq": np.array(a_eq), "b_eq": np.array(b_eq)} if a_eq else {}
        low = linprog(objective, bounds=[(0, None)] * n, method="highs", **kwargs)
        high = linprog(-objective, bounds=[(0, None)] * n, method="highs", **kwargs)
        assert low.status == 0, low.message
        found[key] = math.inf if high.status == 3 else -high.fun - low.fun
    return found


def grid_ranges(grid: Grid, hidden: set[tuple[int, int]]) -> dict[tuple[str, int, int], float]:
    """The attack on a Grid published with `hidden` suppressed."""
    shown = [
        [None if (r, c) in hidden else v for c, v in enumerate(row)]
        for r, row in enumerate(grid.values)
    ]
    n_rows, n_cols = grid.shape
    cells = [row[:n_cols] for row in shown[:n_rows]]
    row_totals = [row[n_cols] for row in shown[:n_rows]] if grid.row_totals else None
    col_totals = shown[n_rows][:n_cols] if grid.col_totals else None
    both = grid.row_totals and grid.col_totals
    return ranges(
        cells,
        row_totals,
        col_totals,
        shown[n_rows][n_cols] if both else None,
        has_grand_total=both,
        shared_total=grid.shared_total,
    )
