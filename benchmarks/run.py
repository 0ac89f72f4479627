"""Encryption benchmarks on fictional cases, per database:

- name search through blind indexes, p50 and p95, through the casefile door (tokens,
  team filter, decrypt-and-recheck, audit events, commit), in a new session each time;
- the same name found by decrypting every row and comparing, measured in the same run;
- the share of encryption and decryption in rendering one case page;
- `casework keys rotate-kek` over every case.

    python -m benchmarks.run --backend sqlite --cases 100000
    CASEWORK_BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test \\
        python -m benchmarks.run --backend postgresql --cases 100000
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy import select

from benchmarks import measures
from benchmarks.common import (
    KEK_A,
    KEK_B,
    USERNAME,
    bench_database,
    fictional_children,
    make_app,
    seed,
    timed,
)
from casework.db import database
from casework.models import User
from tests.databases import migrate


def run_backend(backend: str, cases: int, queries: int, renders: int = 200) -> dict[str, Any]:
    children = fictional_children(cases)
    rng = random.Random(7)
    sample = rng.sample(children, min(queries, cases))
    with bench_database(backend) as url, tempfile.TemporaryDirectory() as instance:
        migrate(url)
        app = make_app(url, Path(instance))
        result: dict[str, Any] = {"backend": backend, "cases": cases}
        result["seed_s"] = timed(lambda: seed(app, children))
        with app.app_context(), database(app).sessionmaker() as session:
            user = session.scalar(select(User).where(User.username == USERNAME))
        assert user is not None, "the benchmark user was not seeded"
        result["search"] = measures.search(app, user, sample, children)
        result["scan"] = measures.full_scan(app, sample[:3])
        result["render"] = measures.render_share(app, renders)
        database(app).dispose()
        rotating = make_app(url, Path(instance), KEK=KEK_B, KEK_PREVIOUS=KEK_A)
        result["rotate_kek"] = measures.rotate_kek(rotating)
        database(rotating).dispose()
    return result


def report(result: dict[str, Any]) -> str:
    search, scan, render = result["search"], result["scan"], result["render"]
    name = search["given + family name"]
    lines = [
        f"## {result['backend']}: {result['cases']:,} cases (seeded in {result['seed_s']:.0f} s)",
        "",
        "| search | p50 | p95 | lookup p50 | lookup p95 | median cases shown |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for kind, f in search.items():
        lines.append(
            f"| {kind} | {f['p50_ms']:.1f} ms | {f['p95_ms']:.1f} ms | "
            f"{f['lookup_p50_ms']:.1f} ms | {f['lookup_p95_ms']:.1f} ms | {f['hits']:.0f} |"
        )
    ratio = scan["median_s"] * 1000 / name["p50_ms"]
    lines += [
        "",
        f"- decrypt every row and compare: median {scan['median_s']:.2f} s "
        f"({scan['rows']:,} rows); blind-index search is {ratio:,.0f}x faster (p50)",
        f"- case page: median {render['page_ms']:.2f} ms, of which encryption "
        f"{render['crypto_ms']:.3f} ms = {render['share_pct']:.2f}%",
        f"- rotate-kek: {result['rotate_kek']['seconds']:.1f} s for "
        f"{result['rotate_kek']['rewrapped']:,} keys",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--renders", type=int, default=200, help="case pages timed")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, load average at start {os.getloadavg()[0]:.1f}"
    )
    for backend in backends:
        print(report(run_backend(backend, args.cases, args.queries, args.renders)), flush=True)
        print(f"(load average after: {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()
