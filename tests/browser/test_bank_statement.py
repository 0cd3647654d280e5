"""The bank statement journey: staff upload a CSV statement, see the preview, load it, confirm a suggestion, and
the overview's paid and outstanding figures change."""

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm.security import Role
from tests.browser.conftest import axe_violations, log_in
from tests.contributions.helpers import a_scheme

pytestmark = pytest.mark.browser


def _figures(page, year):
    page.goto(f"/contributions/?year={year}")
    cells = page.locator("table").first.locator("tbody td")
    return cells.nth(2).inner_text(), cells.nth(3).inner_text()


def test_staff_load_a_statement_and_confirm_a_suggestion(page, live_server, tmp_path):
    from crm.contributions import billing, reporting
    from crm.contributions.models import Contribution
    from crm.extensions import db
    from crm.i18n import kroner

    year = date.today().year + 5
    with live_server.app.app_context(), live_server.app.test_request_context():
        a_scheme(db, year=year)
        billing.bill(year, today=date(year, 2, 1))
        db.session.commit()
        first, second = db.session.scalars(select(Contribution).where(Contribution.year == year)
                                           .options(joinedload(Contribution.company))
                                           .order_by(Contribution.invoice_number).limit(2)).all()
        by_number, suggested = (first.invoice_label, first.total_ore), (second.company.name, second.total_ore,
                                                                        second.invoice_label)
        paid_after = kroner(first.total_ore + second.total_ore)
        outstanding_after = kroner(reporting.overview(year).outstanding_ore - first.total_ore - second.total_ore)
    amount = lambda ore: f"{ore // 100}".replace(",", "") + f",{ore % 100:02d}"  # noqa: E731
    statement = tmp_path / "kontoudskrift.csv"
    statement.write_bytes((f"Dato;Tekst;Beløb;Navn\n"
                           f"01-03-{year};Faktura {by_number[0]};{amount(by_number[1])};\n"
                           f"02-03-{year};Kontingent;{amount(suggested[1])};{suggested[0]}\n").encode("cp1252"))

    live_server.make_user(Role.STAFF, "bank@browser.example", "Bente Bogholder")
    log_in(page, "bank@browser.example")
    paid_before, outstanding_before = _figures(page, year)
    assert paid_before == "0,00 kr." and outstanding_before != outstanding_after
    with page.expect_navigation():
        page.get_by_role("link", name="Betalinger fra banken").click()
    assert axe_violations(page) == []
    page.get_by_label("Kontoudskrift (camt.053 eller CSV)").set_input_files(str(statement))
    with page.expect_navigation():
        page.get_by_role("button", name="Vis kontoudskriften").click()
    assert "Registreres som betaling" in page.locator("#count-matched").inner_text()
    assert page.locator("#count-matched strong").inner_text() == "1"
    assert page.locator("#count-suggested strong").inner_text() == "1"
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Indlæs kontoudskriften").click()
    assert "1 betalinger registreret, 1 forslag" in page.content()
    assert f"Forslag: faktura {suggested[2]}" in page.content()
    assert axe_violations(page) == []
    with page.expect_navigation():
        page.get_by_role("button", name="Bekræft").click()
    assert f"Betalingen er registreret på faktura {suggested[2]}" in page.content()

    paid, outstanding = _figures(page, year)
    assert (paid, outstanding) == (paid_after, outstanding_after)
