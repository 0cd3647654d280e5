import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import axe_violations, log_in

pytestmark = pytest.mark.browser


def three_companies_with_contacts(live_server):
    from crm.companies.models import Company, Contact
    from crm.extensions import db

    with live_server.app.app_context():
        rows = db.session.execute(
            select(Company.cvr, Company.name).join(Contact).where(Contact.is_primary, Contact.email.is_not(None))
            .order_by(Company.id).limit(3)
        ).all()
    return [tuple(row) for row in rows]


def test_staff_adds_three_companies_makes_a_chair_and_mails_the_group(page, live_server):
    companies = three_companies_with_contacts(live_server)
    log_in(page, "staff@browser.example")
    page.get_by_role("link", name="Arbejdsgrupper").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Vand").click()
    page.get_by_text("Tilføj virksomheder").click()
    page.get_by_label("CVR-numre").fill("\n".join(cvr for cvr, _name in companies[:2]))
    third_cvr, third_name = companies[2]
    picker = page.get_by_role("combobox", name="Virksomhed")
    picker.press_sequentially(third_cvr[:6], delay=20)  # suggestions as you type, then one picked
    picked = page.locator(f'#company-options option[value="{third_name} (CVR {third_cvr})"]')
    expect(picked).to_have_count(1)
    picker.fill(picked.get_attribute("value"))
    with page.expect_navigation():
        page.get_by_role("button", name="Tilføj", exact=True).click()
    assert "Medlemmer (3)" in page.content()
    first_name = companies[0][1]
    with page.expect_navigation():
        page.get_by_role("button", name=f"Gør til formand {first_name}").click()
    row = page.locator("table tbody tr", has_text=first_name)
    assert "Formand" in row.inner_text()
    second_name = companies[1][1]
    with page.expect_navigation():
        page.get_by_role("button", name=f"Gør til medformand {second_name}").click()
    assert "Formand" in page.locator("table tbody tr", has_text=second_name).inner_text()
    assert "Formand" in page.locator("table tbody tr", has_text=first_name).inner_text(), "co-chair: both chairs"
    assert axe_violations(page) == []

    with page.expect_navigation():
        page.get_by_role("link", name="Skriv til gruppen").click()
    page.get_by_label("Emne").fill("Regnvand og vaskehaller")
    page.get_by_label("Tekst").fill("Vi mødes hos formanden torsdag.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send", exact=True).click()
    assert "Mailen går til 3 personer i 3 virksomheder." in page.content(), "the mail asks first"
    assert "Vi mødes hos formanden torsdag." in page.locator(".app-mail-text").inner_text()
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Send", exact=True).click()
    assert "Mailen er lagt i udbakken til 3 medlemmer." in page.content()
    assert "3 i kø, 0 sendt, 0 fejlet" in page.locator(".app-mailing-state").inner_text()

    page.goto("/outbox/?q=Regnvand")
    rows = page.locator("table tbody tr")
    assert rows.count() == 3
    assert "Regnvand og vaskehaller" in rows.first.inner_text()
