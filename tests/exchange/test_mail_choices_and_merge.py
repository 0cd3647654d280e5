"""The contacts' choice of the swap centre's mails (a form with its CSRF token), and a merge that leaves a company
talking with itself."""

from sqlalchemy import func, select

from crm.companies.merging import merge_companies
from crm.exchange.models import Conversation, ExchangeMailChoice, Message
from crm.mail.models import OutboundEmail
from tests.conftest import post
from tests.exchange.test_digest_and_coverage import _talk


def test_a_company_chooses_who_gets_the_mails_and_cannot_tick_another_companys_contact(db, portal_company):
    a, b = portal_company("Valg ApS"), portal_company("Anden ApS")
    page = a.get("/portal/exchange/mail").get_data(as_text=True)
    assert 'name="csrf_token"' in page and "Kontakt hos Valg ApS" in page and "Kontakt hos Anden ApS" not in page
    assert "checked" in page  # the fixture's contact gets both

    assert post(a, "/portal/exchange/mail", {"digest": str(a.contact.id)}).status_code == 302
    choice = db.session.scalars(select(ExchangeMailChoice).where(ExchangeMailChoice.contact_id == a.contact.id)).one()
    db.session.refresh(choice)
    assert (choice.messages, choice.digest) == (False, True)

    refused = post(a, "/portal/exchange/mail", {"messages": str(b.contact.id)})
    assert refused.status_code == 422 and "Vælg kun blandt jeres kontaktpersoner." in refused.get_data(as_text=True)
    theirs = db.session.scalars(select(ExchangeMailChoice).where(ExchangeMailChoice.contact_id == b.contact.id)).one()
    db.session.refresh(theirs)
    assert theirs.messages and theirs.digest  # untouched
    without_token = a.post("/portal/exchange/mail", data={"digest": str(a.contact.id)})
    assert without_token.status_code in (400, 422)


def test_a_merge_closes_the_conversation_between_the_two_and_keeps_its_messages(db, portal_company, pallets,
                                                                               staff_client):
    owner, buyer = portal_company("Ejer ApS"), portal_company("Ejer (dublet) ApS")
    listing_id, conversation_id = _talk(owner, buyer, pallets)

    merge_companies(owner.company, buyer.company, by=staff_client.user)
    db.session.commit()
    talk = db.session.get(Conversation, conversation_id)
    assert talk.company_id == talk.listing.company_id == owner.company.id and talk.is_with_itself
    assert [m.body for m in talk.messages] == ["Hilsen Bo fra lageret"]

    page = owner.get(f"/portal/exchange/conversations/{conversation_id}").get_data(as_text=True)
    assert "Hilsen Bo fra lageret" in page and "Samtalen er lukket" in page and 'name="body"' not in page
    mails = db.session.scalar(select(func.count()).select_from(OutboundEmail))
    answer = post(owner, f"/portal/exchange/conversations/{conversation_id}", {"body": "Til mig selv"},
                  follow_redirects=True)
    assert answer.status_code == 200 and "Samtalen er lukket" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Message)
                             .where(Message.conversation_id == conversation_id)) == 1
    assert db.session.scalar(select(func.count()).select_from(OutboundEmail)) == mails
    assert "Lukket" in owner.get("/portal/exchange/conversations").get_data(as_text=True)
    closing = owner.get(f"/portal/exchange/listings/{listing_id}/close").get_data(as_text=True)
    assert "Ejer ApS</option>" not in closing
