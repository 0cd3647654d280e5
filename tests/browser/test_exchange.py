"""The swap centre in a browser: an offer of pallets found, talked about and closed, counted in staff's figures."""

from datetime import date

import pytest
from sqlalchemy import select

from crm.security import Role
from tests.browser.conftest import log_in
from tests.conftest import PASSWORD, valid_cvr

pytestmark = pytest.mark.browser


def _companies(live_server):
    """Three companies on the estate, each with a portal user; [(e-mail, company name)]."""
    from crm.auth import services
    from crm.companies.models import Company
    from crm.extensions import db

    with live_server.app.app_context():
        made = []
        # CVR numbers of their own: the browser tests share one database (test_responsive has 29910448).
        for cvr, name, street in ((valid_cvr(1510), "Palle Lager A/S", "Stamholmen 151"),
                                  (valid_cvr(1520), "Kyst Byg ApS", "Kystholmen 10"),
                                  (valid_cvr(1530), "Tredje Firma ApS", "Jernholmen 5")):
            company = db.session.scalars(select(Company).where(Company.cvr == cvr)).first()
            if company is None:
                company = Company(cvr=cvr, name=name, street=street)
                db.session.add(company)
                db.session.flush()
            email = f"bytte{cvr}@bytte.example"
            if services.find_user(email) is None:
                services.create_user(email, PASSWORD, Role.COMPANY, name=f"Person hos {name}", company=company)
            made.append((email, name))
        db.session.commit()
        return made


def test_forty_pallets_offered_found_talked_about_and_closed(browser, live_server):
    (a_email, _a), (b_email, b_name), (c_email, _c) = _companies(live_server)
    users = {"a": a_email, "b": b_email, "c": c_email}
    pages = {}
    for key in users:
        context = browser.new_context(locale="da-DK", base_url=live_server.url)
        pages[key] = context.new_page()
        log_in(pages[key], users[key])
    a, b, c = pages["a"], pages["b"], pages["c"]

    a.goto("/portal/exchange/")
    a.get_by_role("link", name="Opret annonce").click()
    a.get_by_label("Kategori").select_option(label="Paller")
    a.get_by_label("Overskrift").fill("40 EUR-paller, hele")
    a.get_by_label("Mængde", exact=True).fill("40")
    a.get_by_label("Enhed").select_option(label="stk.")
    with a.expect_navigation():
        a.get_by_role("button", name="Offentliggør").click()
    assert "Annoncen er offentliggjort." in a.content()

    b.goto("/portal/exchange/")
    b.get_by_label("Søg", exact=True).fill("eur-paller")
    with b.expect_navigation():
        b.get_by_role("button", name="Søg").click()
    b.get_by_role("link", name="40 EUR-paller, hele").click()
    assert "km væk" in b.content()
    with b.expect_navigation():
        b.get_by_role("button", name="Interesseret – skriv til virksomheden").click()
    conversation_path = b.url.replace(live_server.url, "")
    b.get_by_label("Besked").fill("Vi tager dem gerne. Kan vi hente fredag?")
    with b.expect_navigation():
        b.get_by_role("button", name="Send").click()

    a.goto(conversation_path)
    assert "Kan vi hente fredag?" in a.content()
    a.get_by_label("Besked").fill("Ja, fredag kl. 9.")
    with a.expect_navigation():
        a.get_by_role("button", name="Send").click()
    a.get_by_role("link", name="Se annoncen").click()
    a.get_by_role("link", name="Luk som byttet").click()
    a.get_by_label("Byttet med").select_option(label=b_name)
    a.get_by_label("Mængde, der faktisk blev flyttet").fill("38")
    a.get_by_label("Dato").fill(date.today().isoformat())
    with a.expect_navigation():
        a.get_by_role("button", name="Luk som byttet").click()
    assert "Besparelsen er beregnet." in a.content()

    assert c.goto(conversation_path).status == 404

    staff = browser.new_context(locale="da-DK", base_url=live_server.url).new_page()
    log_in(staff, "staff@browser.example")
    staff.goto("/exchange/")
    figures = staff.locator("table").first.inner_text()
    assert "Paller" in figures and "0,95" in figures and "380" in figures
