"""Staff log a green-transition case from a company's page, see it on the company's timeline and in the year's
figures."""

from datetime import date

import pytest
from sqlalchemy import select

from tests.browser.conftest import axe_violations, log_in

pytestmark = pytest.mark.browser


def test_staff_log_an_advice_case_and_see_it_on_the_timeline_and_in_the_years_figures(page, live_server):
    from crm.companies.models import Company
    from crm.extensions import db

    with live_server.app.app_context():
        company_id = db.session.scalar(select(Company.id).where(Company.cvr == "10150817"))
    year = date.today().year
    log_in(page, "staff@browser.example")
    before = page.goto(f"/reports/{year}")
    assert before.ok
    advised_row = page.locator("tr", has_text="Virksomheder rådgivet om grøn omstilling")
    advised_before = int(advised_row.locator("td strong").inner_text())

    page.goto(f"/companies/{company_id}")
    with page.expect_navigation():
        page.get_by_role("link", name="Ny sag").click()
    assert axe_violations(page) == []
    page.get_by_label("Slags forløb").select_option(label="Rådgivning om grøn omstilling")
    page.get_by_label("Partner").select_option(label="Erhvervshus Hovedstaden")
    page.get_by_label("Startet").fill(f"{year}-01-10")
    page.get_by_label("Note").fill("Energi, transport og indkøb gennemgået.")
    with page.expect_navigation():
        page.get_by_role("button", name="Gem").click()
    assert "Sagen er gemt og står på virksomhedens tidslinje." in page.content()
    panel = page.locator('section[aria-labelledby="raadgivning"]')
    assert "Rådgivning om grøn omstilling" in panel.inner_text()
    assert (f"Rådgivning om grøn omstilling startet 10.01.{year}. Partner: Erhvervshus Hovedstaden."
            in page.content()), "on the timeline"

    # The outcome: the company went on with a new solution.
    with page.expect_navigation():
        page.get_by_role("link", name="Rådgivning om grøn omstilling").first.click()
    page.get_by_label("Afsluttet").fill(f"{year}-01-20")
    page.get_by_label("Udfald").select_option(label="Gik videre med en ny løsning")
    with page.expect_navigation():
        page.get_by_role("button", name="Gem").click()
    assert (f"Forløbet fra 10.01.{year} er afsluttet 20.01.{year}: virksomheden gik videre med en ny løsning."
            in page.content())

    page.goto(f"/reports/{year}")
    assert int(page.locator("tr", has_text="Virksomheder rådgivet om grøn omstilling")
               .locator("td strong").inner_text()) == advised_before + 1
    with page.expect_navigation():
        page.get_by_role("link", name=f"Rådgivningsforløbene i {year}").click()
    assert "Browserfirma ApS" in page.content() and "Gik videre med en ny løsning" in page.content()
    assert axe_violations(page) == []
