"""An invited company joins the partnership in a browser and later leaves it: its user (who may sign) sees what it
would pay with the calculation, corrects the employee count and sees the new amount, signs up; the confirmation
mail arrives over SMTP with the agreement as PDF; admin's billing run bills it by month and the invoice is the
amount the portal showed; then the user gives notice and staff see it."""

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from crm.security import Role
from tests.browser.conftest import axe_violations, deliver_to_sink, log_in
from tests.conftest import valid_cvr

pytestmark = pytest.mark.browser

SIGNER = "direktoer@holmens-glas.example"


def set_up(live_server, year):
    """The agreement in force, the year's adopted scheme (base 2.000 kr.; 0-9 employees 1.000 kr., 10-49 3.000 kr.),
    and an invited tenant with 8 employees whose primary contact has a portal login."""
    from crm.companies import services as company_services
    from crm.companies.models import CompanyRole, CompanyStatus
    from crm.extensions import db
    from tests.contributions.helpers import a_scheme
    from tests.partnership.helpers import a_signer, an_agreement

    with live_server.app.app_context(), live_server.app.test_request_context():
        an_agreement(db, title="Partnerskabsaftale for Holmen")
        a_scheme(db, year=year, name=f"Medlemsmodel {year}")
        company = company_services.create_company({
            "cvr": valid_cvr(655_001), "name": "Holmens Glas ApS", "street": "Stamholmen 70", "postal_code": "2650",
            "city": "Hvidovre", "role": CompanyRole.TENANT, "employees": 8,
            "status": CompanyStatus.INVITED})
        db.session.commit()
        a_signer(db, company, SIGNER, name="Dorte Direktør")
        return company.id


def kroner(ore):
    return f"{ore // 100:,}".replace(",", ".") + f",{ore % 100:02d} kr."


def by_month(net_ore, months):
    """The net amount for `months` of 12, rounded to whole kroner, and its VAT (25 %): the invoice's rule."""
    net = round(net_ore * months / 12 / 100) * 100
    return net, net // 4


def offer_table(page, year):
    return page.locator("table.app-offer").filter(has_text=f"Bidrag for {year}")


def test_an_invited_company_signs_up_is_billed_what_it_was_shown_and_gives_notice(page, live_server):
    from crm.contributions.models import Contribution
    from crm.extensions import db
    from crm.partnership import services

    # Join from a month after January (billed by month): the second such month offered.
    starts_on = [month for month in services.start_months() if month.month != 1][1]
    year, months = starts_on.year, 13 - starts_on.month
    company_id = set_up(live_server, year)

    log_in(page, SIGNER)
    with page.expect_navigation():
        page.get_by_role("link", name="Medlemskab").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Medlemskab af partnerskabet"
    page.locator("#starts_on-choice").select_option(starts_on.isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name="Beregn").click()
    small_net, small_vat = by_month(200_000 + 100_000, months)
    table = offer_table(page, year)
    assert "Grundbidrag 2.000,00 kr." in table.inner_text()
    assert "Trin: 0 til under 10 ansatte, 1.000,00 kr." in table.inner_text()
    assert f"Forholdsmæssigt for {months} af 12 måneder" in table.inner_text()
    assert kroner(small_net + small_vat) in table.get_by_role("row", name=re.compile("I alt")).inner_text()
    assert axe_violations(page) == []

    # 12 employees, not 8: corrected here, the amount is computed again at once.
    page.get_by_text("Er jeres tal forkerte? Ret dem her").click()
    page.get_by_label("Antal ansatte").fill("12")
    with page.expect_navigation():
        page.get_by_role("button", name="Ret og beregn igen").click()
    assert "Tallene er rettet, og beløbet er regnet igen." in page.content()
    net, vat = by_month(200_000 + 300_000, months)
    table = offer_table(page, year)
    assert "Trin: 10 til under 50 ansatte, 3.000,00 kr." in table.inner_text()
    assert kroner(net + vat) in table.get_by_role("row", name=re.compile("I alt")).inner_text()
    shown = kroner(net + vat)

    assert f"fra {starts_on:%d.%m.%Y} og betaler {shown} med moms for {year}" in page.content()
    page.get_by_label("Jeg har læst partnerskabsaftalen og accepterer den").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Meld virksomheden ind").click()
    assert f"En bekræftelse med aftalen er sendt til {SIGNER}." in page.content()
    assert f"Holmens Glas ApS er medlem af partnerskabet siden {starts_on:%d.%m.%Y}." in page.content()
    assert axe_violations(page) == []

    # The confirmation arrives over SMTP with the agreement, the version and the amount in a PDF.
    [mail] = [message for message in deliver_to_sink(live_server) if message["To"].addresses[0].addr_spec == SIGNER]
    assert mail["Subject"] == "Velkommen i partnerskabet: Holmens Glas ApS er meldt ind"
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    pdf = attachment.get_content()
    assert pdf.startswith(b"%PDF")
    text = " ".join(" ".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Partnerskabsaftale for Holmen" in text and "Gældende fra 01.01.2020" in text
    assert f"= {shown}" in text and "Dorte Direktør meldte Holmens Glas ApS ind" in text

    # Admin bills the year from the billing page: the company is billed by month, the amount it was shown.
    page.context.clear_cookies()
    live_server.make_user(Role.ADMIN, "admin@browser.example", "Anne Admin")
    log_in(page, "admin@browser.example")
    page.goto(f"/contributions/billing?year={year}")
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"Fakturér \d+ virksomheder")).click()
    assert "Intet er sendt endnu." in page.content()
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"Fakturér \d+ virksomheder")).click()
    assert f"fakturaer er lavet for {year}" in page.content()
    with live_server.app.app_context():
        invoice = db.session.scalars(select(Contribution).where(Contribution.company_id == company_id,
                                                                Contribution.year == year)).one()
        assert (invoice.net_ore, invoice.vat_ore, invoice.months) == (net, vat, months)

    # The user sees the invoice for the amount shown, then gives notice.
    page.context.clear_cookies()
    log_in(page, SIGNER)
    page.goto("/portal/invoices")
    assert shown in page.locator("table").inner_text()
    page.goto("/portal/membership/")
    page.get_by_label("Jeg melder virksomheden ud af partnerskabet").check()
    with page.expect_navigation():
        page.get_by_role("button", name="Meld virksomheden ud").click()
    assert "Udmeldelsen er modtaget." in page.content()
    with live_server.app.app_context():
        ends_on = services.notice_end(services.current_agreement(), services.today())
    assert f"I har meldt jer ud; medlemskabet slutter {ends_on:%d.%m.%Y}." in page.content()

    # Staff see the notice on the home page and on the partnership page.
    page.context.clear_cookies()
    log_in(page, "staff@browser.example")
    page.goto("/")
    panel = page.locator("section", has=page.get_by_role("heading", name="Partnerskabet"))
    assert "Holmens Glas ApS" in panel.inner_text() and f"medlem til {ends_on:%d.%m.%Y}" in panel.inner_text()
    with page.expect_navigation():
        panel.get_by_role("link", name="Partnerskab og aftale").click()
    assert "Holmens Glas ApS" in page.locator("main").inner_text()
    assert axe_violations(page) == []
    assert date.today() <= ends_on
