"""Newsletters go only to consenting contacts and carry a working one-click unsubscribe."""

import re

from sqlalchemy import select

from crm.companies import services
from crm.companies.models import Contact
from crm.mail.models import EmailKind, OutboundEmail
from tests.confirming import post_confirmed
from tests.conftest import login, post


def consenting_company(make_company, name, consent=True, tags=""):
    company = make_company(name=name)
    services.update_company(company, {}, tags=tags)
    services.add_contact(company, {"name": f"Kontakt {name}", "email": f"kontakt@{len(name)}{name[:3]}.example",
                                   "newsletter_consent": consent})
    return company


def test_newsletter_goes_only_to_consenting_contacts_in_the_filter(staff_client, db, make_company):
    yes = consenting_company(make_company, "Energi Ja ApS", tags="energi")
    consenting_company(make_company, "Energi Nej ApS", consent=False, tags="energi")
    consenting_company(make_company, "Affald Ja ApS", tags="affald")
    db.session.commit()
    page = staff_client.get("/outbox/newsletter?tag=energi").get_data(as_text=True)
    assert "1 modtager" in page
    key = re.search(r'name="form_key" type="hidden" value="([^"]+)"|name="form_key" value="([^"]+)"', page)
    form_key = next(group for group in key.groups() if group)
    data = {"subject": "Nyt fra Holmen", "body": "Solceller på taget", "tag": "energi", "action": "send",
            "form_key": form_key}
    assert post_confirmed(staff_client, "/outbox/newsletter", data).status_code == 302
    post_confirmed(staff_client, "/outbox/newsletter", data)  # a double click sends nothing more
    mails = db.session.scalars(select(OutboundEmail).where(OutboundEmail.kind == EmailKind.NEWSLETTER)).all()
    assert [mail.company_id for mail in mails] == [yes.id]
    mail = mails[0]
    assert mail.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.headers["List-Unsubscribe"].startswith("<") and "/unsubscribe/" in mail.headers["List-Unsubscribe"]
    assert "Solceller på taget" in mail.body_text


def unsubscribe_path(mail):
    return mail.headers["List-Unsubscribe"].strip("<>").split("127.0.0.1:5000", 1)[-1]


def test_one_click_post_without_cookies_withdraws_consent_and_get_does_not(app, db, make_company, staff_client):
    company = consenting_company(make_company, "Afmeld ApS")
    db.session.commit()
    from crm.companies.search import CompanyFilters
    from crm.mail.newsletters import send_newsletter

    send_newsletter("Hej", "Tekst", CompanyFilters(q="afmeld"), form_key="k1")
    db.session.commit()
    mail = db.session.scalars(select(OutboundEmail)).one()
    path = unsubscribe_path(mail)
    contact = db.session.scalars(select(Contact).where(Contact.company_id == company.id)).one()
    scanner = app.test_client()
    assert scanner.get(path).status_code == 200  # a mail scanner opening the link changes nothing
    db.session.refresh(contact)
    assert contact.newsletter_consent
    mail_program = app.test_client(use_cookies=False)
    response = mail_program.post(path, data="List-Unsubscribe=One-Click",
                                 content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    db.session.refresh(contact)
    assert not contact.newsletter_consent
    assert mail_program.post(path).status_code == 200  # repeating is harmless


def test_forged_unsubscribe_token_is_refused(app, db):
    response = app.test_client().post("/unsubscribe/eyJpZCI6MX0.forged")
    assert response.status_code == 404
    assert "ikke gyldigt" in response.get_data(as_text=True)


def test_outbox_filters_by_company_and_time(staff_client, db, make_company):
    from crm.mail.services import queue_email

    one, two = make_company(name="Første Firma ApS"), make_company(name="Andet Firma ApS")
    queue_email(to_address="a@x.example", subject="Til første", body_text="x", company=one)
    queue_email(to_address="b@x.example", subject="Til andet", body_text="x", company=two)
    db.session.commit()
    page = staff_client.get("/outbox/?company=første").get_data(as_text=True)
    assert "Til første" in page and "Til andet" not in page
    assert "Til første" not in staff_client.get("/outbox/?from=2999-01-01").get_data(as_text=True)


def test_a_request_that_fails_after_queueing_leaves_no_mail(app, database_url):
    from crm.extensions import db as _db
    from crm.mail.services import queue_email
    from tests.conftest import make_app

    failing = make_app(database_url)

    @failing.get("/queue-then-fail")
    def queue_then_fail():
        queue_email(to_address="nogen@firma.example", subject="Må ikke sendes", body_text="x")
        raise RuntimeError("the action failed after queueing")

    assert failing.test_client().get("/queue-then-fail").status_code == 500
    with failing.app_context():
        assert _db.session.scalar(select(OutboundEmail).where(OutboundEmail.subject == "Må ikke sendes")) is None
        _db.engine.dispose()


def test_a_newsletter_to_chosen_companies_is_shown_only_to_them_in_the_portal(staff_client, db, make_company,
                                                                               make_user):
    energy = consenting_company(make_company, "Energi Ja ApS", tags="energi")
    waste = consenting_company(make_company, "Affald Ja ApS", tags="affald")
    db.session.commit()
    for subject, tag in (("Kun til energigruppen", "energi"), ("Til hele netværket", "")):
        page = staff_client.get(f"/outbox/newsletter?tag={tag}").get_data(as_text=True)
        form_key = re.search(r'name="form_key"[^>]*value="([^"]+)"', page).group(1)
        assert post_confirmed(staff_client, "/outbox/newsletter", {"subject": subject, "body": "Tekst", "tag": tag,
                                                          "action": "send", "form_key": form_key}).status_code == 302
    homes = {}
    for company in (energy, waste):
        client = staff_client.application.test_client()
        user = make_user("company", company=company)
        login(client, user.email)
        homes[company.id] = client.get("/portal/").get_data(as_text=True)
    assert "Kun til energigruppen" in homes[energy.id] and "Til hele netværket" in homes[energy.id]
    assert "Kun til energigruppen" not in homes[waste.id] and "Til hele netværket" in homes[waste.id]


def _newsletter_form_key(client, query=""):
    page = client.get(f"/outbox/newsletter{query}").get_data(as_text=True)
    return re.search(r'name="form_key"[^>]*value="([^"]+)"', page).group(1)


def test_a_subject_with_a_line_break_is_refused_at_the_form(staff_client, db, make_company):
    consenting_company(make_company, "Linjeskift ApS")
    db.session.commit()
    data = {"subject": "Nyt fra Holmen\r\nBcc: alle@example.com", "body": "Tekst", "action": "send",
            "form_key": _newsletter_form_key(staff_client)}
    response = post(staff_client, "/outbox/newsletter", data)
    assert response.status_code == 422
    assert "Skriv emnet på én linje." in response.get_data(as_text=True)
    assert db.session.scalars(select(OutboundEmail)).all() == []


def test_a_refused_newsletter_form_answers_422_and_keeps_the_text(staff_client, db):
    data = {"subject": "", "body": "Solen skinner på Holmen", "action": "send",
            "form_key": _newsletter_form_key(staff_client)}
    response = post(staff_client, "/outbox/newsletter", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Skriv et emne." in page and "Solen skinner på Holmen" in page


def test_a_recipient_that_cannot_get_mail_is_skipped_and_named_and_the_rest_get_it(staff_client, db, make_company):
    good = consenting_company(make_company, "Godt Modtager ApS")
    bad = make_company(name="Skæv Modtager ApS")
    db.session.add(Contact(company_id=bad.id, name="Skæv\r\nBcc: x@example.com", email="skaev@firma.example",
                           newsletter_consent=True))
    db.session.commit()
    data = {"subject": "Nyt fra Holmen", "body": "Tekst", "action": "send",
            "form_key": _newsletter_form_key(staff_client)}
    response = post_confirmed(staff_client, "/outbox/newsletter", data, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "kunne ikke få nyhedsbrevet" in page and "skaev@firma.example" in page
    mails = db.session.scalars(select(OutboundEmail).where(OutboundEmail.kind == EmailKind.NEWSLETTER)).all()
    assert [mail.company_id for mail in mails] == [good.id]
