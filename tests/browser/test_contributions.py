import re
from datetime import date

import pytest
from sqlalchemy import select

from crm.security import Role
from tests.browser.conftest import axe_violations, log_in

pytestmark = pytest.mark.browser


def test_admin_models_adopts_bills_and_registers_a_payment(page, live_server):
    year = date.today().year + 3
    live_server.make_user(Role.ADMIN, "admin@browser.example", "Anne Admin")
    log_in(page, "admin@browser.example")
    page.get_by_role("link", name="Bidrag").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Ordninger og scenarier").click()
    with page.expect_navigation():
        page.get_by_role("link", name="Nyt scenarie").click()
    page.get_by_label("Navn på scenariet", exact=True).fill("Ansatte-model")
    page.get_by_label("År", exact=True).fill(str(year))
    page.get_by_label("Grundbidrag pr. virksomhed (kr.)").fill("2.000")
    page.get_by_label("Trin efter", exact=True).select_option("employees")
    page.get_by_role("textbox", name="Trin (frivilligt)").fill("0; 10; 1.000\n12; ; 3.000")
    with page.expect_navigation():
        page.get_by_role("button", name="Gem og beregn").click()
    assert "begynder ved 12" in page.content(), "the gap between 10 and 12 is refused, naming the band"
    assert axe_violations(page) == []
    page.get_by_role("textbox", name="Trin (frivilligt)").fill("0; 10; 1.000\n10; ; 3.000")
    with page.expect_navigation():
        page.get_by_role("button", name="Gem og beregn").click()
    assert "Scenariet er gemt." in page.content() and "Fordeling efter trin" in page.content()
    assert axe_violations(page) == []

    with page.expect_navigation():
        page.get_by_role("button", name=f"Vedtag som ordningen for {year}").click()
    assert f"er nu ordningen for {year}" in page.content()
    page.goto(f"/contributions/billing?year={year}")
    button = page.get_by_role("button", name=re.compile(r"Fakturér \d+ virksomheder"))
    billed = int(re.search(r"\d+", button.inner_text()).group())
    assert axe_violations(page) == []
    with page.expect_navigation():
        button.click()
    assert "Intet er sendt endnu." in page.content(), "billing asks first"
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name=f"Fakturér {billed} virksomheder").click()
    assert f"{billed} fakturaer er lavet for {year}" in page.content()
    assert axe_violations(page) == []
    page.goto(f"/contributions/?year={year}")

    with page.expect_navigation():
        page.get_by_role("link", name=f"{year}-1", exact=True).click()
    page.get_by_label("Beløb (kr.)").fill("1.000")
    page.get_by_label("Betalt den").fill(f"{year}-02-10")
    with page.expect_navigation():
        page.get_by_role("button", name="Registrér betaling").click()
    assert "Betalingen er registreret." in page.content() and "Delvist betalt" in page.content()
    assert axe_violations(page) == []

    from crm.contributions.models import Contribution
    from crm.extensions import db

    with live_server.app.app_context():
        numbers = db.session.scalars(select(Contribution.invoice_number).where(Contribution.year == year)
                                     .order_by(Contribution.invoice_number)).all()
    assert numbers == list(range(1, billed + 1))
