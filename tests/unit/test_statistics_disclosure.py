"""Suppression holds against an attacker with linear programming: for every suppressed
cell, the published cells and totals leave a range of at least k."""

from __future__ import annotations

import math
from collections.abc import Callable

from hypothesis import HealthCheck, find, given, settings
from hypothesis import strategies as st

from casework.casefile.statistics.disclosure import (
    Grid,
    Perturbation,
    build_grid,
    selection_key,
    suppress,
)
from tests.statistics_attack import grid_ranges

counts = st.one_of(st.integers(0, 12), st.integers(0, 80))
STRUCTURES = ("both", "rows", "cols", "none", "shared")


@st.composite
def published(draw: st.DrawFn) -> tuple[Grid, int]:
    n_rows, n_cols = draw(st.integers(1, 6)), draw(st.integers(1, 6))
    structure = draw(st.sampled_from(STRUCTURES))
    k = draw(st.sampled_from((5, 10)))
    truth = [[draw(counts) for _c in range(n_cols)] for _r in range(n_rows)]
    noise = Perturbation(secret=b"s" * 32, selection_key=draw(st.integers(0, 2**32 - 1)))
    if structure == "shared":  # yes / no of every row, out of one base
        base = draw(st.integers(0, 120))
        truth = [[min(row[0], base), base - min(row[0], base)] for row in truth]
        shared = noise.perturb(base, "t", "", "")
        perturbed = []
        for r, row in enumerate(truth):
            yes = min(noise.perturb(row[0], "t", str(r), "yes"), shared)
            perturbed.append([yes, shared - yes])
        grid = build_grid(
            truth,
            perturbed,
            row_totals=True,
            col_totals=False,
            shared_total=shared,
            shared_truth=base,
        )
        return grid, k
    perturbed = [
        [noise.perturb(v, "t", str(r), str(c)) for c, v in enumerate(row)]
        for r, row in enumerate(truth)
    ]
    grid = build_grid(
        truth,
        perturbed,
        row_totals=structure in ("both", "rows"),
        col_totals=structure in ("both", "cols"),
    )
    return grid, k


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(published())
def test_no_suppressed_cell_can_be_pinned_down(case: tuple[Grid, int]) -> None:
    grid, k = case
    hidden = suppress(grid, k)
    for r, row in enumerate(grid.values):
        for c, value in enumerate(row):
            if (r, c) not in hidden:
                # nothing small is shown; a true zero is shown as zero
                assert (value >= k and grid.truth[r][c] >= k) or grid.truth[r][c] == 0 == value
    for where, width in grid_ranges(grid, hidden).items():
        assert width >= k, (where, width, grid.values, sorted(hidden))


def primary_only(grid: Grid, k: int) -> set[tuple[int, int]]:
    """A deliberately weakened suppression: small cells only, no secondary suppression."""
    return {
        (r, c)
        for r, row in enumerate(grid.values)
        for c, value in enumerate(row)
        if 0 < value < k or 0 < grid.truth[r][c] < k or (value == 0) != (grid.truth[r][c] == 0)
    }


def test_the_attack_pins_down_a_cell_that_only_primary_suppression_hides() -> None:
    truth = [[3, 20], [30, 40]]
    grid = build_grid(truth, truth, row_totals=True, col_totals=True)
    weak = grid_ranges(grid, primary_only(grid, 10))
    assert weak == {("c", 0, 0): 0.0}  # 23 - 20: the 3 is read back exactly
    strong = grid_ranges(grid, suppress(grid, 10))
    assert strong and min(strong.values()) >= 10


def leaks(case: tuple[Grid, int], suppressor: Callable[[Grid, int], set[tuple[int, int]]]) -> bool:
    grid, k = case
    return any(width < k for width in grid_ranges(grid, suppressor(grid, k)).values())


def test_the_property_finds_the_weakened_suppression_out() -> None:
    """A test of the test: the same generated tables and the same attack catch primary
    suppression without secondary suppression."""
    example = find(
        published(),
        lambda case: leaks(case, primary_only),
        settings=settings(max_examples=500, deadline=None, database=None),
    )
    assert leaks(example, primary_only) and not leaks(example, suppress)


def test_the_same_selection_gets_the_same_noise_and_another_gets_other_noise() -> None:
    secret = b"k" * 32
    keys = [11, 22, 33]
    same = Perturbation(secret, selection_key(list(reversed(keys))))
    first = Perturbation(secret, selection_key(keys))
    assert all(first.noise("t", str(r), "c") == same.noise("t", str(r), "c") for r in range(50))
    other = Perturbation(secret, selection_key([*keys, 44]))
    assert any(first.noise("t", str(r), "c") != other.noise("t", str(r), "c") for r in range(50))
    assert all(-2 <= first.noise("t", str(r), "c") <= 2 for r in range(200))
    assert first.perturb(0, "t", "r", "c") == 0


def test_a_yes_no_table_over_a_small_base_is_suppressed_whole() -> None:
    truth = [[6, 2], [1, 7]]  # a base of 8
    grid = build_grid(
        truth, truth, row_totals=True, col_totals=False, shared_total=8, shared_truth=8
    )
    hidden = suppress(grid, 10)
    assert len(hidden) == 6
    assert set(grid_ranges(grid, hidden).values()) == {math.inf}
