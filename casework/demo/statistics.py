"""Fictional statistical records for the demo's statistics page: 300 children across
three countries and two years, as if their cases had been closed and erased (so the
records are linked to no case). Enough that the tables show real numbers, with some
cells suppressed. None of these children exist."""

from __future__ import annotations

import random
import secrets

from sqlalchemy.orm import Session

from casework import clock
from casework.casefile.statistics.record import Stat
from casework.keys.statistics import current_statistics_key
from casework.models import StatisticalRecord

COUNT = 300
# (country, region of the leading organisation)
PLACES = (("EE", "Harju"), ("LV", "Riga"), ("PL", "Pomerania"))
# (identifying actor, context, weight): a few common routes and a long tail.
ROUTES = (
    ("police", "police_operation", 30),
    ("police", "arrested_or_suspected", 14),
    ("social_services", "school", 12),
    ("border_guard", "border_control", 12),
    ("ngo_outreach", "outreach", 10),
    ("online_platform", "online", 9),
    ("asylum_reception", "reception", 8),
    ("health_care", "health_care", 3),
    ("hotline", "hotline", 2),
)
KINDS = (
    ("sexual", 40, 0.55),
    ("labour", 18, 0.2),
    ("begging", 12, 0.05),
    ("forced_criminality", 25, 0.4),
    ("forced_marriage", 3, 0.3),
    ("illegal_adoption", 1, 0.0),
)
ICT_SHARE = {kind: share for kind, _weight, share in KINDS}
RESIDENCE = (
    ("national", 35),
    ("eu_citizen", 15),
    ("temporary_protection_ukraine", 22),
    ("asylum_seeker", 12),
    ("irregular", 8),
    ("unknown", 8),
)
TEAM = ("social_services", "police", "ngo", "health", "guardian", "legal_counsel", "barnahus")
MEASURES = ("accommodation", "health", "psychological", "education", "legal")
OUTCOMES = (
    ("accepted_first", 55),
    ("accepted_after_reoffer", 15),
    ("declined", 20),
    ("undecided", 10),
)
NP_OUTCOMES = (("not_prosecuted", 40), ("discontinued", 25), ("no_penalty", 10), ("prosecuted", 10))
# Missing episodes: how many a child who went missing had, and how many days each lasted.
MISSING_SHARE = 0.15
EPISODES = ((1, 70), (2, 20), (3, 10))
MISSING_DAYS = (0, 0, 1, 1, 1, 2, 2, 3, 4, 6, 9, 14, 30)


def _pick(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([c for c, _w in weighted], [w for _c, w in weighted])[0]


def fictional(rng: random.Random) -> Stat:
    year = clock.today().year - rng.choice((1, 2))
    country, region = rng.choice(PLACES)
    route = rng.choices(ROUTES, [w for *_x, w in ROUTES])[0]
    kinds = [k for k, share, _ict in KINDS if rng.random() < share / 100 * 2.2] or ["sexual"]
    ict = [k for k in kinds if rng.random() < ICT_SHARE[k]]
    team = sorted({"social_services", *(t for t in TEAM if rng.random() < 0.5)})
    measures = {m: _pick(rng, OUTCOMES) for m in MEASURES if rng.random() < 0.6}
    non_punishment: list[tuple[str, str | None, bool | None]] = []
    if route[1] == "arrested_or_suspected":
        outcome = _pick(rng, NP_OUTCOMES) if rng.random() < 0.8 else None
        before = None if outcome is None else rng.random() < 0.7
        non_punishment.append((rng.choice(("arrest", "charge", "prosecution")), outcome, before))
    missing: list[int | None] = []
    if rng.random() < MISSING_SHARE:
        episodes = rng.choices([n for n, _w in EPISODES], [w for _n, w in EPISODES])[0]
        missing = [rng.choice(MISSING_DAYS) for _ in range(episodes)]
    return Stat(
        key=secrets.randbits(32),
        year=year,
        quarter=rng.randint(1, 4),
        age_band=rng.choices(
            ("under_12", "age_12_14", "age_15_17", "not_yet_known"), (8, 30, 55, 7)
        )[0],
        sex=rng.choices(("female", "male", "unknown"), (55, 43, 2))[0],
        country=country,
        region=region,
        actor=route[0],
        context=route[1],
        exploitation=sorted(kinds),
        ict=sorted(ict),
        residence=_pick(rng, RESIDENCE),
        team=team,
        measures=measures,
        days_to_lead=rng.randint(0, 20),
        days_to_guardian=rng.randint(1, 45) if rng.random() < 0.6 else None,
        days_to_measure=rng.randint(0, 30),
        non_punishment=non_punishment,
        missing=missing,
    )


def seed_statistics(session: Session, count: int = COUNT, seed: int = 2026) -> int:
    rng = random.Random(seed)  # noqa: S311 - fictional data, reproducible on purpose
    sealer = current_statistics_key()
    for _ in range(count):
        row = StatisticalRecord(case_id=None, sealed=b"", key_version=sealer.version, version=1)
        row.sealed = sealer.seal(row.id, fictional(rng).dumps())
        session.add(row)
    session.commit()
    return count
