"""The membership page in the portal: the amount with its calculation, correcting the figures, signing up,
giving notice; and what staff see of it (home page, company page, the year's figures)."""

import re
from datetime import date

from sqlalchemy import select

from crm.companies.models import Activity, CompanyStatus
from crm.contributions import billing
from crm.contributions.models import Contribution
from crm.mail.models import OutboundEmail
from crm.partnership import services
from crm.reports.figures import year_report
from tests.conftest import login, post
from tests.contributions.helpers import a_scheme
from tests.partnership.helpers import a_signer, an_agreement


def text_of(response):
    assert response.status_code == 200, response.status_code
    return " ".join(response.get_data(as_text=True).split())


def test_an_invited_company_sees_its_amount_corrects_its_figures_signs_up_and_gives_notice(
        app, db, make_company, staff_client):
    months = services.start_months()
    starts_on = months[1]
    a_scheme(db, year=starts_on.year)  # base 2.000 kr.; 0-9 employees 1.000 kr., 10-49 3.000 kr., 50+ 8.000 kr.
    agreement = an_agreement(db)
    company = make_company(name="Nyt Lager ApS", employees=8, status="invited")
    signer = a_signer(db, company, "chef@nytlager.example")
    client = app.test_client()
    login(client, signer.email)

    page = text_of(client.get(f"/portal/membership/?starts_on={starts_on.isoformat()}"))
    months_paid = 13 - starts_on.month
    small = round(300_000 * months_paid / 12 / 100) * 100  # (2.000 + 1.000 kr.) by month, whole kroner
    assert "Grundbidrag 2.000,00 kr." in page and "Trin: 0 til under 10 ansatte, 1.000,00 kr." in page
    assert f"{small * 125 // 100 // 100:,}".replace(",", ".") in page.replace(",00 kr.", "")

    # The employees were wrong: 12, not 8. The amount is computed again, and staff see it on the timeline.
    response = post(client, "/portal/membership/figures", {"employees": "12", "area_m2": "",
                                                           "starts_on": starts_on.isoformat()})
    assert response.status_code == 302
    page = text_of(client.get(response.headers["Location"]))
    assert "Trin: 10 til under 50 ansatte, 3.000,00 kr." in page
    assert db.session.scalars(select(Activity).where(Activity.company_id == company.id)).first() is not None
    assert "employees" in text_of(staff_client.get(f"/companies/{company.id}"))

    offer = services.offer(company, starts_on.year, starts_on)
    response = post(client, "/portal/membership/sign", {"kind": "sign_up", "starts_on": starts_on.isoformat(),
                                                        "accept": "y"})
    assert response.status_code == 302
    db.session.refresh(company)
    assert (company.status, company.joined_on) == (CompanyStatus.MEMBER, starts_on)
    mail = db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == signer.email)).one()
    assert mail.attachments[0].filename == f"partnerskabsaftale-{company.cvr}.pdf"

    # Staff see the sign-up on the home page; the billing run bills the amount shown.
    assert "Nyt Lager ApS" in text_of(staff_client.get("/"))
    billing.bill(starts_on.year, today=starts_on)
    db.session.commit()
    invoice = db.session.scalars(select(Contribution).where(Contribution.company_id == company.id)).one()
    assert (invoice.net_ore, invoice.vat_ore, invoice.months) == (offer.amount.net_ore, offer.amount.vat_ore,
                                                                 months_paid)

    # Notice: effective at the end of the year the notice period runs out in; shown to staff.
    page = text_of(client.get("/portal/membership/"))
    assert "Meld virksomheden ud" in page
    response = post(client, "/portal/membership/sign", {"kind": "notice", "confirm": "y"})
    assert response.status_code == 302
    db.session.refresh(company)
    ends = services.notice_end(agreement, services.today())
    assert company.left_on == ends and company.status == CompanyStatus.MEMBER
    assert "medlem til" in text_of(staff_client.get("/partnership/"))
    figures = year_report(ends.year).values
    assert figures["left"] >= 1 and figures["left_tenants"] >= 1


def test_only_a_person_who_may_sign_can_sign_up(app, db, make_company):
    a_scheme(db, year=services.start_months()[1].year)
    an_agreement(db)
    company = make_company(status="invited", employees=3)
    a_signer(db, company, "chef@firma.example")
    clerk = a_signer(db, company, "kontor@firma.example", name="Kim Kontor", primary=False)
    client = app.test_client()
    login(client, clerk.email)
    page = text_of(client.get("/portal/membership/"))
    assert "Kun den primære kontaktperson" in page
    response = post(client, "/portal/membership/sign", {"kind": "sign_up", "accept": "y",
                                                        "starts_on": services.start_months()[1].isoformat()},
                    follow_redirects=True)
    assert "Kun en person, der må skrive under" in text_of(response)
    db.session.refresh(company)
    assert company.status == CompanyStatus.INVITED


def test_a_new_version_is_shown_to_members_who_accept_it(app, db, make_company):
    company = make_company(status="member", joined_on=date(2021, 1, 1), employees=3)
    first = an_agreement(db, takes_effect_on=date(2020, 1, 1))
    signer = a_signer(db, company, "chef@medlem.example")
    from crm.partnership.models import Signature, SignatureKind
    db.session.add(Signature(company_id=company.id, kind=SignatureKind.ACCEPTANCE, agreement_id=first.id,
                             signer_name="Signe", contact_id=signer.contact_id))
    newer = an_agreement(db, takes_effect_on=date(2024, 1, 1), title="Partnerskabsaftale 2024")
    client = app.test_client()
    login(client, signer.email)
    page = text_of(client.get("/portal/membership/"))
    assert "Ny version af aftalen" in page and "Partnerskabsaftale 2024" in page
    assert post(client, "/portal/membership/sign", {"kind": "acceptance", "accept": "y"}).status_code == 302
    assert services.accepted_version(company).id == newer.id
    assert "Ny version af aftalen" not in text_of(client.get("/portal/membership/"))


def test_the_agreement_markdown_is_sanitised(app, db, admin_client):
    response = post(admin_client, "/partnership/agreements/new", {
        "title": "Aftale", "takes_effect_on": "2025-01-01", "notice_months": "3",
        "body": "# Formål\n\n<script>alert(1)</script>**fed**"})
    assert response.status_code == 302
    version_id = int(re.search(r"/agreements/(\d+)", response.headers["Location"]).group(1))
    page = admin_client.get(f"/partnership/agreements/{version_id}").get_data(as_text=True)
    assert "<strong>fed</strong>" in page and "<script>alert(1)" not in page
    assert admin_client.get(f"/partnership/agreements/{version_id}.pdf").data.startswith(b"%PDF")
