"""Demo users see what their role allows: the NGO worker a first name and an age, the
coordinator a list of the region's cases without any names."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from casework.demo import CHILDREN
from casework.settings import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser

GIVEN_NAMES = [given for given, _family, _sex in CHILDREN]
FAMILY_NAMES = [family for _given, family, _sex in CHILDREN]


def _sign_in(page: Page, live_server: str, username: str) -> None:
    sign_in(page, live_server, username, DEMO_PASSWORD)


def test_ngo_worker_sees_first_name_and_age_only(page: Page, live_server: str) -> None:
    _sign_in(page, live_server, "ngo")
    expect(page.get_by_role("heading", name="Today", exact=True)).to_be_visible()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My cases").click()
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()
    case_links = page.get_by_role("table").get_by_role("link")
    assert case_links.count() == 12
    case_links.first.click()
    expect(page.get_by_text("Your role sees the first name and age only.")).to_be_visible()
    text = page.locator("main").inner_text()
    assert any(given in text for given in GIVEN_NAMES)
    assert not any(family in text for family in FAMILY_NAMES)
    expect(page.get_by_text("Age", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Correct the child's identity")).to_have_count(0)
    assert_accessible(page)


def test_coordinator_sees_region_cases_without_names(page: Page, live_server: str) -> None:
    _sign_in(page, live_server, "coordinator")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Region overview").click()
    expect(page.get_by_role("heading", name="Cases in your region")).to_be_visible()
    rows = page.get_by_role("table").locator("tbody tr")
    assert rows.count() >= 20
    expect(rows.first).to_contain_text("CW-")
    text = page.locator("main").inner_text()
    assert not any(name in text for name in GIVEN_NAMES + FAMILY_NAMES)
    expect(page.get_by_text("Social services").first).to_be_visible()
    assert_accessible(page)
