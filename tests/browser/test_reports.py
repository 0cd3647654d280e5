"""Staff's morning: the home page's day, the year's report with a goal set through its form, the downloads
(PDF, figures as a spreadsheet), the funnel; axe on each page."""

from datetime import date

import pytest

from tests.browser.conftest import axe_violations, log_in

pytestmark = pytest.mark.browser


def test_staff_read_the_day_set_a_goal_and_download_the_report(page, live_server):
    year = date.today().year
    log_in(page, "staff@browser.example")
    assert "Det skal gøres i dag" in page.content()
    assert axe_violations(page) == []

    with page.expect_navigation():
        page.get_by_role("link", name="Rapporter").click()
    assert f"Årsrapport {year}" in page.content()
    assert page.locator("svg[role=img]").count() >= 20
    assert axe_violations(page) == []

    with page.expect_navigation():
        page.get_by_role("link", name="Sæt og redigér mål").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Nyt mål").click()
    page.get_by_label("Mål", exact=True).fill("Mindst 50 medlemmer ved årets slutning")
    page.get_by_label("Tal fra rapporten").select_option("members_end")
    page.get_by_label("Måltal").fill("50")
    page.get_by_label("Tekst til rapporten").fill("Netværket har {members_end} medlemmer.")
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Gem").click()
    assert "Målet er gemt." in page.content() and "Netværket har" in page.content()
    assert axe_violations(page) == []

    page.goto(f"/reports/{year}")
    assert "Mindst 50 medlemmer ved årets slutning" in page.content()
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Hent rapporten som PDF").click()
    assert pdf.value.suggested_filename == f"aarsrapport-{year}.pdf"
    with open(pdf.value.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    with page.expect_download() as word:
        page.get_by_role("link", name="Hent rapporten som Word").click()
    assert word.value.suggested_filename == f"aarsrapport-{year}.docx"
    with open(word.value.path(), "rb") as handle:
        assert handle.read(2) == b"PK"
    with page.expect_download() as sheet:
        page.get_by_role("link", name="Eksportér Excel").first.click()
    assert sheet.value.suggested_filename == f"aarets-tal-{year}.xlsx"

    with page.expect_navigation():
        page.get_by_role("link", name="Engagement: fra inviteret til medlem af en arbejdsgruppe").click()
    assert "Har en portalbruger" in page.content()
    assert axe_violations(page) == []
    page.goto("/reports/quiet")
    assert axe_violations(page) == []
