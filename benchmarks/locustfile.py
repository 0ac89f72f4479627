"""Locust load test: simulated users of mixed roles against an HTTPS deployment.

Each simulated user signs in once with password and second factor (its own account:
a TOTP code works once), then, with waits of 1 to 3 seconds: lists *my cases*, opens a
case from that list, searches by a child's name (roles that may search), and opens a
new case through the form (social workers: a form saved, CSRF token, Origin and
Referer as a browser sends them). Every response is checked for what the page must
show, not only its status.

Started by `python -m benchmarks.https_load` (which builds the deployment and the
data and writes the accounts file); by hand, with the certificate the site serves
(or the CA that issued it) to trust:

    CASEWORK_LOAD_ACCOUNTS=accounts.json CASEWORK_LOAD_CA=cert.pem \\
        locust -f benchmarks/locustfile.py --headless -u 50 -r 5 -t 10m \\
        --host https://127.0.0.1:8443
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time
from typing import Any

import pyotp
from locust import HttpUser, between, task

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
CASE_LINK = re.compile(r'href="/cases/([0-9a-f-]{36})"')

with open(os.environ["CASEWORK_LOAD_ACCOUNTS"], encoding="utf-8") as fh:
    ACCOUNTS: dict[str, Any] = json.load(fh)

_next = iter(ACCOUNTS["users"])
_lock = threading.Lock()


def _account() -> dict[str, str]:
    with _lock:
        try:
            return dict(next(_next))
        except StopIteration:
            raise RuntimeError("more simulated users than accounts") from None


class Worker(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        # The deployment's throw-away certificate, trusted and its name checked; the
        # environment's CA bundle (REQUESTS_CA_BUNDLE) must not replace it.
        self.client.verify = os.environ.get("CASEWORK_LOAD_CA", True)
        self.client.trust_env = False
        self.account = _account()
        self.role = self.account["role"]
        self.cases: list[str] = []
        self._sign_in()

    # -- helpers ------------------------------------------------------------------------

    def _form(self, path: str, name: str, fields: dict[str, str], expect: str) -> None:
        """GET the form, then POST it with its CSRF token, as a browser on the site."""
        with self.client.get(path, name=f"{name} (form)", catch_response=True) as page:
            match = CSRF.search(page.text or "")
            if page.status_code != 200 or match is None:
                page.failure(f"{path}: {page.status_code} without a form")
                return
        origin = (self.host or "").rstrip("/")
        with self.client.post(
            path,
            data={**fields, "csrf_token": match.group(1)},
            headers={"Origin": origin, "Referer": f"{origin}{path}"},
            name=name,
            catch_response=True,
        ) as response:
            if response.status_code != 200 or expect not in (response.text or ""):
                response.failure(f"{path}: {response.status_code}, {expect!r} not shown")

    def _sign_in(self) -> None:
        self._form(
            "/login",
            "sign in: password",
            {"username": self.account["username"], "password": ACCOUNTS["password"]},
            "Code from your authenticator app",
        )
        code = pyotp.TOTP(ACCOUNTS["totp_secret"]).at(time.time())
        self._form("/login/code", "sign in: code", {"code": code}, "My cases")

    # -- tasks --------------------------------------------------------------------------

    @task(3)
    def my_cases(self) -> None:
        with self.client.get("/cases/", name="my cases", catch_response=True) as page:
            found = CASE_LINK.findall(page.text or "")
            if page.status_code != 200 or not found:
                page.failure(f"my cases: {page.status_code}, {len(found)} cases listed")
                return
            self.cases = found

    @task(4)
    def open_case(self) -> None:
        if not self.cases:
            self.my_cases()
            return
        case = random.choice(self.cases)
        with self.client.get(f"/cases/{case}", name="case page", catch_response=True) as page:
            if page.status_code != 200 or "CW-" not in (page.text or ""):
                page.failure(f"case page: {page.status_code}")

    @task(2)
    def search(self) -> None:
        if self.role not in ("social_worker", "police"):
            return
        name = random.choice(ACCOUNTS["names"])
        self._form("/search/", "search", {"name": name}, "Search")

    @task(1)
    def save_a_form(self) -> None:
        if self.role != "social_worker":
            return
        fields = {
            "given_name": "Liis",
            "family_name": random.choice(ACCOUNTS["names"]),
            "date_of_birth": "2012-03-04",
            "sex": "female",
        }
        self._form("/cases/new", "open a case (form saved)", fields, "CW-")
