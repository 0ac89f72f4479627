"""A signed-in case page under load, against a bare Flask app, on SQLite and PostgreSQL.

For each database: a new database with CASES fictional cases (bulk-inserted with the
app's own encryption, benchmarks/common.py), Casework and a bare "hello" Flask app
(benchmarks/hello.py) each served by `gunicorn -w 2` (sync workers), the same command
for both. A person signs in over HTTP with password and second factor; then wrk, at
16 connections, loads the bare app and the case page in turn, ROUNDS times each, all in
this one run. A Lua script in wrk checks every response: status 200 and, in the body,
the case's reference and the child's name (the hello text for the bare app); any other
answer fails the run. Reports requests/s of both, their ratio, p50 and p99 latency, and
the SQL statements one case page request makes.

    .venv/bin/python -m benchmarks.page_load --backend both --cases 100000
    .venv/bin/python -m benchmarks.page_load --backend sqlite --cases 1000 --duration 5

Needs wrk (Debian: apt-get install wrk). PostgreSQL runs next to
CASEWORK_BENCH_DATABASE_URL (default postgresql+psycopg://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from markupsafe import escape
from sqlalchemy import event

from benchmarks.audit_data import SIGNING_KEY
from benchmarks.common import (
    KEK_A,
    PASSWORD,
    USERNAME,
    bench_database,
    csrf_token,
    fictional_children,
    fresh_code,
    make_app,
    seed,
    sign_in,
    timed,
)
from benchmarks.hello import GREETING
from benchmarks.machine import describe
from benchmarks.measures import case_page, check_case_page
from casework.db import database
from tests.databases import migrate

SECRET_KEY = "benchmark-secret-key-not-for-production-0123456789"  # noqa: S105 - throw-away
AGENT = "casework-page-load"
ROOT = Path(__file__).resolve().parent.parent

# wrk checks each response; each thread counts what was wrong, `done` adds them up.
CHECK_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; seen = 0 end
wrk.headers["Cookie"] = os.getenv("PAGE_COOKIE")
wrk.headers["User-Agent"] = os.getenv("PAGE_AGENT")
local markers = {}
for m in string.gmatch(os.getenv("PAGE_MARKERS"), "[^\\n]+") do table.insert(markers, m) end
function response(status, headers, body)
  seen = seen + 1
  local good = status == 200
  for _, m in ipairs(markers) do
    if good and not string.find(body, m, 1, true) then good = false end
  end
  if not good then bad = bad + 1 end
end
function done(summary, latency, requests)
  local bad_total, seen_total = 0, 0
  for _, t in ipairs(threads) do
    bad_total = bad_total + t:get("bad"); seen_total = seen_total + t:get("seen")
  end
  io.write(string.format("checked %d responses, %d wrong\\n", seen_total, bad_total))
end
"""


@dataclass(frozen=True)
class Load:
    """One wrk run."""

    requests_per_s: float
    p50_ms: float
    p99_ms: float
    checked: int
    timeouts: int


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(target: str, env: dict[str, str], workers: int) -> Iterator[int]:
    """`gunicorn -w WORKERS TARGET` on a free port, until the block ends."""
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        target,
    ]
    process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env})  # noqa: S603
    try:
        _wait_for(port, process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, f"gunicorn exited with status {process.returncode}"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start in two minutes")


@dataclass(frozen=True)
class Page:
    status: int
    headers: dict[str, str]
    text: str


class Browser:
    """A few requests with cookies, as a browser signing in would make them."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Page:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"User-Agent": AGENT, "Cookie": self.cookie_header()}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{self.port}"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        page = Page(response.status, dict(response.headers.items()), response.read().decode())
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value and "Expires=Thu, 01 Jan 1970" not in header:
                self.cookies[name] = value
            else:
                self.cookies.pop(name, None)
        conn.close()
        return page

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def sign_in(self) -> None:
        page = self.request("GET", "/login")
        assert page.status == 200, page.status
        step = self.request(
            "POST",
            "/login",
            {"username": USERNAME, "password": PASSWORD, "csrf_token": csrf_token(page.text)},
        )
        assert step.status == 302 and step.headers["Location"].endswith("/login/code"), step.status
        page = self.request("GET", "/login/code")
        code = fresh_code()
        done = self.request(
            "POST", "/login/code", {"code": code, "csrf_token": csrf_token(page.text)}
        )
        assert done.status == 302 and not done.headers["Location"].endswith("/login"), done.status


def wrk(port: int, path: str, cookie: str, markers: list[str], args: argparse.Namespace) -> Load:
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(CHECK_LUA)
        script.flush()
        env = {
            **os.environ,
            "PAGE_COOKIE": cookie,
            "PAGE_AGENT": AGENT,
            "PAGE_MARKERS": "\n".join(markers),
        }
        command = [
            args.wrk,
            f"-t{args.threads}",
            f"-c{args.connections}",
            f"-d{args.duration}s",
            "--latency",
            f"--timeout={args.timeout}s",
            "-s",
            script.name,
            f"http://127.0.0.1:{port}{path}",
        ]
        out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout  # noqa: S603
    return parse_wrk(out)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()  # type: ignore[union-attr]
    return float(number) * _UNITS[unit]


def parse_wrk(out: str) -> Load:
    """wrk's report; fails on any socket error or response the script refused. Requests
    that got no answer within --timeout are counted, and reported."""
    checked = re.search(r"checked (\d+) responses, (\d+) wrong", out)
    assert checked is not None, out
    assert int(checked[2]) == 0, f"{checked[2]} of {checked[1]} responses were wrong:\n{out}"
    assert int(checked[1]) > 0, out
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if errors is not None:
        assert errors[1] == errors[2] == errors[3] == "0", out
    assert "Non-2xx" not in out, out
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE)
    assert rate and p50 and p99, out
    timeouts = int(errors[4]) if errors is not None else 0
    return Load(float(rate[1]), _ms(p50[1]), _ms(p99[1]), int(checked[1]), timeouts)


def statements_per_page(app: Any, url: str, ref: str, given: str) -> int:
    """SQL statements one signed-in case page request makes (after a warm-up)."""
    client = app.test_client()
    sign_in(client)
    client.get(url)
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith("BEGIN"):
            seen.append(statement)

    engine = database(app).engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    check_case_page(response.status_code, response.text, ref, given)
    return len(seen)


def run_backend(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    children = fictional_children(args.cases)
    with bench_database(backend) as url, tempfile.TemporaryDirectory() as instance:
        migrate(url)
        app = make_app(url, Path(instance), SIGNING_KEY=SIGNING_KEY)
        result: dict[str, Any] = {"backend": backend, "cases": args.cases}
        result["seed_s"] = timed(lambda: seed(app, children))
        path, ref, given = case_page(app)
        result["statements"] = statements_per_page(app, path, ref, given)
        database(app).dispose()
        result["machine"] = describe(url)
        env = {
            "CASEWORK_ENV": "production",
            "CASEWORK_DATABASE_URL": url,
            "CASEWORK_INSTANCE_PATH": instance,
            "CASEWORK_SECRET_KEY": SECRET_KEY,
            "CASEWORK_KEK": KEK_A,
            "CASEWORK_SIGNING_KEY": SIGNING_KEY,
            "CASEWORK_AUDIT_CHECKPOINT_FILE": str(Path(instance) / "audit-checkpoints.txt"),
        }
        with (
            gunicorn("casework:create_app()", env, args.workers) as app_port,
            gunicorn("benchmarks.hello:app", {}, args.workers) as hello_port,
        ):
            browser = Browser(app_port)
            browser.sign_in()
            page = browser.request("GET", path)
            check_case_page(page.status, page.text, ref, given)
            markers = [ref, str(escape(given))]
            bare, casework = [], []
            for _ in range(args.rounds):
                bare.append(wrk(hello_port, "/", "", [GREETING], args))
                casework.append(wrk(app_port, path, browser.cookie_header(), markers, args))
        result["bare"], result["page"] = bare, casework
    return result


def report(result: dict[str, Any]) -> str:
    bare, page = result["bare"], result["page"]
    ratios = [p.requests_per_s / b.requests_per_s for b, p in zip(bare, page, strict=True)]

    def med(loads: list[Load], key: str) -> float:
        return float(statistics.median(float(getattr(load, key)) for load in loads))

    return "\n".join(
        [
            f"## {result['backend']}: {result['cases']:,} cases"
            f" (seeded in {result['seed_s']:.0f} s)",
            result["machine"],
            "| | req/s | p50 | p99 | responses checked | timed out |",
            "| --- | --- | --- | --- | --- | --- |",
            f"| bare Flask | {med(bare, 'requests_per_s'):,.0f} | {med(bare, 'p50_ms'):.1f} ms"
            f" | {med(bare, 'p99_ms'):.1f} ms | {sum(b.checked for b in bare):,}"
            f" | {sum(b.timeouts for b in bare):,} |",
            f"| case page | {med(page, 'requests_per_s'):,.1f} | {med(page, 'p50_ms'):.1f} ms"
            f" | {med(page, 'p99_ms'):.1f} ms | {sum(p.checked for p in page):,}"
            f" | {sum(p.timeouts for p in page):,} |",
            f"- ratio case page / bare (median of the per-round ratios): "
            f"{statistics.median(ratios):.3f} (rounds: {', '.join(f'{r:.3f}' for r in ratios)})",
            f"- SQL statements per case page request: {result['statements']}",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="sqlite")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs per app, alternating")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, both apps")
    parser.add_argument("--timeout", type=int, default=30, help="wrk's, in seconds")
    parser.add_argument("--wrk", default=shutil.which("wrk") or "wrk")
    args = parser.parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    for backend in backends:
        print(report(run_backend(backend, args)), flush=True)
        print(f"(load average after: {os.getloadavg()[0]:.1f})", flush=True)


if __name__ == "__main__":
    main()
