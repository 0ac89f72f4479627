"""An analyst opens the statistics, filters by year, sees a chart and a suppressed
cell, and downloads the CSV; the page works on a 390 px phone screen."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from playwright.sync_api import Page, expect

from casework.settings import DEMO_PASSWORD
from tests.browser.conftest import assert_accessible, sign_in

pytestmark = pytest.mark.browser


def test_analyst_filters_by_year_sees_a_chart_and_downloads_the_csv(
    page: Page, live_server: str, demo: None
) -> None:
    sign_in(page, live_server, "analyst", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Statistics", level=1)).to_be_visible()
    assert_accessible(page)

    year = date.today().year - 1
    page.get_by_label("Year of identification", exact=True).select_option(label=str(year))
    page.get_by_role("button", name="Show statistics").click()
    expect(
        page.get_by_role("heading", name=f"Identifications in {year}", exact=False)
    ).to_be_visible()
    expect(
        page.get_by_role("heading", name=f"Identifications in {year - 1}", exact=False)
    ).to_have_count(0)
    chart = page.get_by_role("img", name="Forms of exploitation, and how many were ICT-facilitated")
    expect(chart).to_be_visible()
    # Suppressed cells read as suppressed, in the tables and in the charts.
    expect(page.locator("td .suppressed").first).to_have_text("suppressed")
    assert page.locator("svg text", has_text="suppressed").count() > 0
    assert "Selection: year" in page.locator(".notice").inner_text()

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the tables (CSV)").click()
    download = info.value
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8"))))
    assert ["Period", str(year)] in rows
    assert ["Smallest count shown (k)", "10"] in rows
    assert any("suppressed" in row for row in rows)


def test_statistics_on_a_phone(page: Page, live_server: str, demo: None) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "analyst", DEMO_PASSWORD)
    expect(page.get_by_role("heading", name="Statistics", level=1)).to_be_visible()
    chart = page.get_by_role("img", name="Who was on the support team")
    expect(chart).to_be_visible()
    assert (chart.bounding_box() or {"width": 999})["width"] <= 390
    # Wide tables scroll inside their own box; the page itself does not.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, width
    # Keyboard: the filters are reachable and the first scrolling table takes focus.
    page.get_by_label("Year of identification", exact=True).focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Country", exact=True)).to_be_focused()
    assert_accessible(page)
