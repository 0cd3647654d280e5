"""The weekly digest of matches, and the swap centre's rows in a merge, an erasure and the data ZIP."""

import io
import json
import zipfile

from sqlalchemy import select

from crm.companies.models import Contact
from crm.exchange.models import Conversation, Listing, Message
from crm.mail.models import OutboundEmail
from tests.conftest import post
from tests.exchange.test_swap_centre import offer


def test_the_digest_is_one_mail_per_contact_and_once_a_week(app, db, portal_company, pallets):
    a, b = portal_company("Tilbyder ApS"), portal_company("Søger ApS")
    offer(a, pallets, title="Paller 1")
    offer(a, pallets, title="Paller 2")
    offer(b, pallets, title="Vi mangler paller", kind="need")
    portal_page = b.get("/portal/exchange/").get_data(as_text=True)
    assert "Mulige match" in portal_page and "Paller 2" in portal_page

    runner = app.test_cli_runner()
    assert "2 mails" in runner.invoke(args=["exchange", "digest"]).output
    mails = db.session.scalars(select(OutboundEmail).where(OutboundEmail.subject.contains("match"))).all()
    assert sorted(mail.to_address for mail in mails) == sorted([a.contact.email, b.contact.email])
    to_b = next(mail for mail in mails if mail.to_address == b.contact.email)
    assert "Paller 1" in to_b.body_text and "Paller 2" in to_b.body_text
    assert "0 mails" in runner.invoke(args=["exchange", "digest"]).output


def _talk(a, b, pallets):
    listing_id = offer(a, pallets)
    conversation_id = int(post(b, f"/portal/exchange/listings/{listing_id}/interest").location.rsplit("/", 1)[-1])
    post(b, f"/portal/exchange/conversations/{conversation_id}", {"body": "Hilsen Bo fra lageret"})
    return listing_id, conversation_id


def test_a_merge_moves_listings_and_conversations(db, portal_company, pallets, staff_client):
    a, b, dup = portal_company("Ejer ApS"), portal_company("Køber ApS"), portal_company("Køber (dublet) ApS")
    listing_id, conversation_id = _talk(a, b, pallets)
    _same, dup_conversation = _talk(dup, a, pallets)
    post(dup, f"/portal/exchange/conversations/{conversation_id}", {"body": "x"})  # not theirs: refused
    offer(dup, pallets, title="Dublettens palle")
    from crm.companies.merging import merge_companies

    merge_companies(b.company, dup.company, by=staff_client.user)
    db.session.commit()
    assert db.session.scalars(select(Listing.company_id).where(Listing.title == "Dublettens palle")).one() \
        == b.company.id
    assert db.session.get(Conversation, dup_conversation).listing.company_id == b.company.id


def test_erasure_scrubs_the_authors_name_and_the_zip_holds_the_listings(db, portal_company, pallets):
    a, b = portal_company("Sælger ApS"), portal_company("Lageret ApS")
    _listing_id, conversation_id = _talk(a, b, pallets)
    message = db.session.scalars(select(Message).where(Message.conversation_id == conversation_id)).one()
    assert message.author_name == "Bruger hos Lageret ApS"
    from crm.companies.services import erase_contact

    contact = db.session.get(Contact, b.contact.id)
    erase_contact(contact, by=None)
    db.session.commit()
    db.session.refresh(message)
    assert message.author_name == "Anonymiseret" and message.body == "Hilsen Bo fra lageret"

    archive = zipfile.ZipFile(io.BytesIO(a.get("/portal/company/data.zip").data))
    listings = json.loads(archive.read("exchange_listings.json"))
    assert [row["title"] for row in listings] == ["40 EUR-paller"]
