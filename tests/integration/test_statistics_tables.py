"""Every published table, built from random populations, attacked two ways: linear
programming against each table's cells and totals, and subtraction of two selections
that differ by one child."""

from __future__ import annotations

import hashlib
import hmac
import random
from collections import Counter
from dataclasses import replace

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casework.casefile.statistics.disclosure import Perturbation, selection_key
from casework.casefile.statistics.record import Stat, keyed
from casework.casefile.statistics.tables import Table, Tables, build_tables
from tests.statistics_attack import ranges

ACTORS = ("police", "border_guard", "social_services", "ngo_outreach")
CONTEXTS = ("police_operation", "border_control", "school", "arrested_or_suspected")
KINDS = ("sexual", "labour", "forced_criminality", "begging")
SECRET = b"n" * 32


@st.composite
def stats(draw: st.DrawFn) -> Stat:
    kinds = draw(st.lists(st.sampled_from(KINDS), max_size=2, unique=True))
    return Stat(
        key=draw(st.integers(0, 2**32 - 1)),
        year=draw(st.sampled_from((2024, 2025))),
        age_band=draw(st.sampled_from(("age_12_14", "age_15_17", None))),
        sex=draw(st.sampled_from(("female", "male"))),
        country="LV",
        region="Riga",
        actor=draw(st.sampled_from((*ACTORS, None))),
        context=draw(st.sampled_from(CONTEXTS)),
        exploitation=sorted(kinds),
        ict=sorted(k for k in kinds if draw(st.booleans())),
        residence=draw(st.sampled_from(("national", "temporary_protection_ukraine"))),
        team=sorted(draw(st.sets(st.sampled_from(("police", "ngo", "health")), max_size=3))),
        measures=draw(
            st.dictionaries(
                st.sampled_from(("accommodation", "health")),
                st.sampled_from(("accepted_first", "declined", "accepted_after_reoffer")),
                max_size=2,
            )
        ),
        days_to_lead=draw(st.one_of(st.none(), st.integers(0, 30))),
        non_punishment=draw(
            st.lists(
                st.tuples(
                    st.sampled_from(("arrest", "charge")),
                    st.sampled_from((None, "not_prosecuted", "prosecuted")),
                    st.booleans(),
                ),
                max_size=1,
            )
        ),
    )


def attack(table: Table, children: int | None) -> dict[tuple[str, int, int], float]:
    shared = table.col_list == "yes_no"
    row_totals = table.row_totals
    if shared and row_totals is not None and children is not None:
        row_totals = tuple(children if v is None else v for v in row_totals)
    return ranges(
        table.cells,
        row_totals,
        table.col_totals,
        table.grand_total,
        has_grand_total=table.has_grand_total,
        shared_total=shared,
    )


def publish(app: Flask, records: list[Stat], k: int = 10, *, noise: bool = True) -> Tables:
    with app.app_context():
        p = Perturbation(SECRET, selection_key([s.key for s in records]), enabled=noise)
        return build_tables(records, p, k)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(stats(), min_size=0, max_size=160), st.sampled_from((5, 10)))
def test_every_published_table_withstands_linear_programming(
    app: Flask, population: list[Stat], k: int
) -> None:
    tables = publish(app, population, k)
    for table in tables.all():
        for row in table.cells:
            assert all(v is None or v >= k or v == 0 for v in row)
        for where, width in attack(table, tables.children).items():
            assert width >= k, (table.key, where, width)
    for median in (*tables.medians, *tables.missing_medians):
        assert median.median is None or (median.base is not None and median.base >= k)


def _population(rng: random.Random, size: int) -> list[Stat]:
    return [
        Stat(
            key=rng.getrandbits(32),
            year=2025,
            actor=rng.choice(ACTORS[:3]),
            context=rng.choice(CONTEXTS[:2]),
            sex=rng.choice(("female", "male")),
            exploitation=[rng.choice(KINDS)],
        )
        for _ in range(size)
    ]


def _row_totals(tables: Tables) -> dict[str, int | None]:
    table = tables.identifications[0]
    assert table.row_totals is not None
    return dict(zip(table.rows, table.row_totals, strict=True))


def _differencing(app: Flask, *, noise: bool, trials: int = 60) -> Counter[str]:
    """Publish a selection and the same selection plus one child; subtract the actor
    totals. 'certain': the difference is exactly +1 in one row and 0 elsewhere, so the
    child's actor is read back; 'guessed': the largest difference is the child's row."""
    rng = random.Random(15)  # noqa: S311 - fictional populations, reproducible
    outcome: Counter[str] = Counter()
    for _ in range(trials):
        before = _population(rng, 300)
        child = _population(rng, 1)[0]
        a, b = (
            _row_totals(publish(app, before, noise=noise)),
            _row_totals(publish(app, [*before, child], noise=noise)),
        )
        diffs = {
            row: b[row] - a[row]  # type: ignore[operator]
            for row in ACTORS[:3]
            if a[row] is not None and b[row] is not None
        }
        assert child.actor in diffs  # the child's row is published in both selections
        if diffs[child.actor] == 1 and all(v == 0 for r, v in diffs.items() if r != child.actor):
            outcome["certain"] += 1
        if max(diffs, key=lambda r: diffs[r]) == child.actor:
            outcome["guessed"] += 1
    return outcome


def test_two_selections_differing_by_one_child_do_not_give_the_child_away(app: Flask) -> None:
    found = _differencing(app, noise=True)
    assert found["certain"] <= 3  # of 60: subtraction does not read the child back
    assert found["guessed"] <= 36  # the best guess among 3 rows is barely better than chance


def test_without_noise_subtraction_reads_the_child_back(app: Flask) -> None:
    """A test of the test: exact counts, suppressed or not, give the child away."""
    found = _differencing(app, noise=False)
    assert found["certain"] == 60


def _digest(message: bytes) -> bytes:
    return hmac.new(SECRET, message, hashlib.sha256).digest()


def _successive(app: Flask, *, renew: bool, trials: int = 60) -> Counter[str]:
    """Publish a selection, change one child's identifying actor (as a correction of the
    identification would), publish again and subtract the actor totals: 'certain' when
    the difference is exactly -1 in the old row, +1 in the new and 0 elsewhere, so the
    change is read back; 'guessed' when the largest rise and the largest fall are the
    new and the old row. `renew`: the record key follows the contents (`keyed`), as the
    door does; without it the record keeps its key, as it once did."""
    rng = random.Random(16)  # noqa: S311 - fictional populations, reproducible
    outcome: Counter[str] = Counter()
    for _ in range(trials):
        salts = (f"{rng.getrandbits(64):016x}" for _ in range(300))
        before = [keyed(replace(s, salt=next(salts)), _digest) for s in _population(rng, 300)]
        child = before[0]
        actor = rng.choice([a for a in ACTORS[:3] if a != child.actor])
        moved = replace(child, actor=actor)
        after = [keyed(moved, _digest) if renew else moved, *before[1:]]
        a, b = _row_totals(publish(app, before)), _row_totals(publish(app, after))
        diffs = {
            row: b[row] - a[row]  # type: ignore[operator]
            for row in ACTORS[:3]
            if a[row] is not None and b[row] is not None
        }
        assert {child.actor, actor} <= set(diffs)
        expected = {r: (1 if r == actor else -1 if r == child.actor else 0) for r in diffs}
        if diffs == expected:
            outcome["certain"] += 1
        if (
            max(diffs, key=lambda r: diffs[r]) == actor
            and min(diffs, key=lambda r: diffs[r]) == child.actor
        ):
            outcome["guessed"] += 1
    return outcome


def test_successive_releases_do_not_give_a_change_away(app: Flask) -> None:
    found = _successive(app, renew=True)
    assert found["certain"] <= 3  # of 60: subtraction does not read the change back
    assert found["guessed"] <= 24  # old and new row among 3: chance is 1 in 6, i.e. 10


def test_a_record_that_keeps_its_key_gives_the_change_away(app: Flask) -> None:
    """A test of the test: with the record key kept through a change, the noise of the
    selection stays the same and subtraction reads the change back every time."""
    found = _successive(app, renew=False)
    assert found["certain"] == 60
