"""Each benchmark runs once at a tiny size, on the database the suite runs on, so none
can rot unnoticed: every benchmark asserts the status and content of what it times,
so a run that measures the wrong thing (a redirect to the sign-in page, an empty
search, a broken chain) fails here."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from benchmarks import (
    append_throughput,
    https_load,
    page_load,
    run,
    statistics_page,
    verify_speed,
)
from benchmarks.common import BENCH_DATABASE_ENV
from benchmarks.measures import check_case_page
from tests.databases import postgres_base_url


def _server() -> list[str]:
    base = postgres_base_url()
    return ["--postgresql", base] if base else []


def test_encryption_benchmarks(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base = postgres_base_url()
    if base:
        monkeypatch.setenv(BENCH_DATABASE_ENV, base)
    backend = "postgresql" if base else "sqlite"
    run.main(["--backend", backend, "--cases", "40", "--queries", "3", "--renders", "3"])
    out = capsys.readouterr().out
    assert f"## {backend}: 40 cases" in out
    assert "| given + family name |" in out
    assert "- case page: median" in out


def test_verify_speed(capsys: pytest.CaptureFixture[str]) -> None:
    verify_speed.main(["--events", "1500", "--rounds", "1", *_server()])
    out = capsys.readouterr().out
    assert "built 1,500 events" in out
    assert "median: verify " in out


def test_append_throughput(capsys: pytest.CaptureFixture[str]) -> None:
    append_throughput.main(["--writers", "2", "--appends", "20", "--rounds", "1", *_server()])
    out = capsys.readouterr().out
    assert "application, 2 writers, round 1:" in out
    assert "verified" in out
    if _server():  # the ceiling beside it: the same protocol straight through psycopg
        append_throughput.main(
            ["--bare", "--writers", "2", "--appends", "20", "--rounds", "1", *_server()]
        )
        assert "bare psycopg, 2 writers, round 1:" in capsys.readouterr().out


def test_a_timed_case_page_must_be_the_case_page() -> None:
    page = "<h1>CW-2026-000000</h1><p>Šarūnas</p>"
    check_case_page(200, page, "CW-2026-000000", "Šarūnas")
    with pytest.raises(AssertionError, match="answered 302"):
        check_case_page(302, "", "CW-2026-000000", "Šarūnas")  # the sign-in redirect
    with pytest.raises(AssertionError, match="reference"):
        check_case_page(200, "<h1>Sign in</h1>", "CW-2026-000000", "Šarūnas")
    with pytest.raises(AssertionError, match="name"):
        check_case_page(200, "<h1>CW-2026-000000</h1>", "CW-2026-000000", "Šarūnas")


def test_page_load(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Both apps under gunicorn, loaded by wrk, every response checked by wrk's script."""
    if shutil.which("wrk") is None and not os.environ.get("CI"):
        pytest.skip("wrk is not installed (Debian: apt-get install wrk); CI installs it")
    base = postgres_base_url()
    if base:
        monkeypatch.setenv(BENCH_DATABASE_ENV, base)
    backend = "postgresql" if base else "sqlite"
    small = ["--cases", "30", "--duration", "1", "--rounds", "1", "--connections", "4"]
    page_load.main(["--backend", backend, *small, "--threads", "1"])
    out = capsys.readouterr().out
    assert f"## {backend}: 30 cases" in out
    assert "| case page |" in out and "| bare Flask |" in out
    assert "SQL statements per case page request:" in out


def test_https_load(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """The Locust load test of the HTTPS deployment, three users for a few seconds: every
    answer checked by the locustfile, the run failing on one wrong answer."""
    base = postgres_base_url()
    if base is None:
        # Like the deployment it drives: the PostgreSQL run has it (CI requires both).
        pytest.skip("the deployment runs on PostgreSQL: set CASEWORK_TEST_DATABASE_URL")
    monkeypatch.setenv(BENCH_DATABASE_ENV, base)
    tiny = ["--cases", "30", "--users", "3", "--spawn-rate", "3", "--duration", "12s"]
    https_load.main([*tiny, "--workers", "1"])
    out = capsys.readouterr().out
    assert "seeded 30 cases" in out
    rows = {line.split(" | ")[0].lstrip("| "): line for line in out.splitlines() if "|" in line}
    for page in ("sign in: password", "sign in: code", "my cases", "**all**"):
        assert page in rows, out
    assert rows["**all**"].split(" | ")[2] == "0", out  # failures


def test_a_load_test_with_a_wrong_answer_fails(tmp_path: Path) -> None:
    stats, failures = tmp_path / "stats.csv", tmp_path / "failures.csv"
    header = "Type,Name,Request Count,Failure Count\n"
    stats.write_text(header + "GET,case page,10,1\n,Aggregated,10,1\n")
    failures.write_text("GET,case page,case page: 500,1\n")
    with pytest.raises(SystemExit, match="10 requests, 1 wrong"):
        https_load._checked(stats, failures)
    stats.write_text(header + ",Aggregated,0,0\n")
    with pytest.raises(SystemExit, match="0 requests"):
        https_load._checked(stats, failures)
    stats.write_text(header + "GET,case page,10,0\n,Aggregated,10,0\n")
    https_load._checked(stats, failures)


def test_wrk_reports_are_checked() -> None:
    good = """Running 1s test @ http://127.0.0.1:1/
  Latency Distribution
     50%    1.50ms
     75%    2.00ms
     90%    3.00ms
     99%   12.25ms
  1000 requests in 1.00s, 1.00MB read
Requests/sec:   1000.00
Transfer/sec:      1.00MB
checked 1000 responses, 0 wrong
"""
    load = page_load.parse_wrk(good)
    assert (load.requests_per_s, load.p50_ms, load.p99_ms, load.checked) == (1000, 1.5, 12.25, 1000)
    assert load.timeouts == 0
    with pytest.raises(AssertionError, match="3 of 1000 responses were wrong"):
        page_load.parse_wrk(good.replace("0 wrong", "3 wrong"))
    with pytest.raises(AssertionError):
        page_load.parse_wrk(good + "  Socket errors: connect 0, read 2, write 0, timeout 5\n")
    slow = page_load.parse_wrk(good + "  Socket errors: connect 0, read 0, write 0, timeout 5\n")
    assert slow.timeouts == 5


def test_statistics_page_benchmark(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    base = postgres_base_url()
    if base:
        monkeypatch.setenv(BENCH_DATABASE_ENV, base)
    backend = "postgresql" if base else "sqlite"
    statistics_page.main(["--backend", backend, "--cases", "300", "--renders", "1"])
    out = capsys.readouterr().out
    assert f'"backend": "{backend}"' in out and '"cases": 300' in out
    assert "first render, cold" in out and "first render after the warm-up" in out


def test_a_timed_statistics_page_must_be_the_statistics_page() -> None:
    statistics_page.check_page(200, "<h2>Forms of exploitation</h2><svg></svg>")
    with pytest.raises(AssertionError, match="answered 302"):
        statistics_page.check_page(302, "")
    with pytest.raises(AssertionError, match="no tables"):
        statistics_page.check_page(200, "<h1>Sign in</h1>")
