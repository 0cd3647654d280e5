"""The swap centre as companies use it: offer, find, talk, close with savings; and what others cannot see."""

import io
from datetime import date

from PIL import Image
from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.exchange.models import Conversation, Listing, ListingPicture, ListingState
from crm.mail.models import OutboundEmail
from tests.conftest import post


def offer(client, category, **overrides):
    data = {"kind": "offer", "category_id": str(category.id), "title": "40 EUR-paller", "description": "Hele paller",
            "quantity": "40", "unit": "stk", "place": "", "price": "", "waste_code": "", "publish": "1",
            **overrides}
    response = post(client, "/portal/exchange/listings/new", data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.location.rsplit("/", 1)[-1])


def test_an_offer_found_talked_about_and_closed_counts_tonnes_and_co2e(db, portal_company, pallets, staff_client):
    a = portal_company("Holme Paller ApS", "Stamholmen 151")
    b = portal_company("Kystens Lager A/S", "Kystholmen 10")
    listing_id = offer(a, pallets)

    found = b.get("/portal/exchange/?q=eur-paller&kind=offer").get_data(as_text=True)
    assert "40 EUR-paller" in found and "km væk" in found
    assert a.contact.email not in found and "Kontakt hos" not in found

    talk = post(b, f"/portal/exchange/listings/{listing_id}/interest")
    conversation_id = int(talk.location.rsplit("/", 1)[-1])
    post(b, f"/portal/exchange/conversations/{conversation_id}", {"body": "Vi tager dem gerne."})
    notice = db.session.scalars(select(OutboundEmail).where(OutboundEmail.to_address == a.contact.email)).one()
    assert "Kystens Lager A/S" in notice.body_text and b.contact.email not in notice.body_text
    post(a, f"/portal/exchange/conversations/{conversation_id}", {"body": "Hent dem fredag."})
    page = b.get(f"/portal/exchange/conversations/{conversation_id}").get_data(as_text=True)
    assert "Vi tager dem gerne." in page and "Hent dem fredag." in page

    closed = post(a, f"/portal/exchange/listings/{listing_id}/close",
                  {"counterpart": str(b.company.id), "quantity": "38", "exchanged_on": date.today().isoformat()})
    assert closed.status_code == 302
    listing = db.session.get(Listing, listing_id)
    assert listing.state == ListingState.CLOSED and listing.exchanged_with_id == b.company.id
    assert str(listing.saved_tonnes) == "0.950" and str(listing.saved_co2e_kg) == "380.0"
    assert "ecoinvent" in listing.savings_source

    figures = staff_client.get("/exchange/").get_data(as_text=True)
    assert "0,95" in figures and "380" in figures
    assert "Vi tager dem gerne." not in staff_client.get(f"/exchange/conversations/{conversation_id}").get_data(
        as_text=True)


def test_a_third_company_gets_404_and_an_audit_entry(db, portal_company, pallets):
    a, b, c = (portal_company(name) for name in ("A ApS", "B ApS", "C ApS"))
    listing_id = offer(a, pallets)
    draft_id = offer(a, pallets, publish="", draft="1")
    conversation_id = int(post(b, f"/portal/exchange/listings/{listing_id}/interest").location.rsplit("/", 1)[-1])
    for url in (f"/portal/exchange/conversations/{conversation_id}", f"/portal/exchange/listings/{draft_id}",
                f"/portal/exchange/listings/{listing_id}/edit"):
        assert c.get(url).status_code == 404
    assert post(c, f"/portal/exchange/conversations/{conversation_id}", {"body": "Hej"}).status_code == 404
    refused = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "portal.refused")).all()
    assert len(refused) == 4 and all(entry.actor_id == c.user.id for entry in refused)
    assert db.session.scalar(select(Conversation).where(Conversation.company_id == c.company.id)) is None


def test_a_closed_listing_without_a_factor_counts_tonnes_only_and_says_so(db, portal_company):
    from crm.exchange.models import ExchangeCategory

    metal_free = db.session.scalars(select(ExchangeCategory).where(ExchangeCategory.slug == "byggematerialer")).one()
    a = portal_company("Byg ApS")
    listing_id = offer(a, metal_free, title="Mursten", quantity="2,5", unit="t")
    response = post(a, f"/portal/exchange/listings/{listing_id}/close",
                    {"counterpart": "", "quantity": "2", "exchanged_on": date.today().isoformat()},
                    follow_redirects=True)
    assert "kun tonnagen tælles" in response.get_data(as_text=True)
    listing = db.session.get(Listing, listing_id)
    assert str(listing.saved_tonnes) == "2.000" and listing.saved_co2e_kg is None


def _jpeg_with_gps():
    image = Image.new("RGB", (3000, 2000), "green")
    exif = Image.Exif()
    exif[0x010F] = "Kamerafirma"  # Make
    exif[0x8825] = {2: (55, 37, 0)}  # GPS latitude
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_pictures_are_checked_resized_and_stripped(db, portal_company, pallets):
    a = portal_company("Foto ApS")
    photo = _jpeg_with_gps()
    assert b"Kamerafirma" in photo
    listing_id = offer(a, pallets, pictures=[(io.BytesIO(photo), "palle.jpg")])
    picture = db.session.scalars(select(ListingPicture).where(ListingPicture.listing_id == listing_id)).one()
    assert max(picture.width, picture.height) == 1600 and b"Kamerafirma" not in picture.data
    assert not Image.open(io.BytesIO(picture.data)).getexif()
    refused = post(a, "/portal/exchange/listings/new",
                   {"kind": "offer", "category_id": str(pallets.id), "title": "X", "quantity": "1", "unit": "stk",
                    "place": "", "publish": "1", "pictures": [(io.BytesIO(b"%PDF-1.4 x"), "billede.jpg")]},
                   content_type="multipart/form-data")
    assert refused.status_code == 422 and "kan ikke bruges som billede" in refused.get_data(as_text=True)
    other = portal_company("Anden ApS")
    assert other.get(f"/portal/exchange/pictures/{picture.id}").status_code == 200  # an open listing's picture
    post(a, f"/portal/exchange/listings/{listing_id}/withdraw")
    assert other.get(f"/portal/exchange/pictures/{picture.id}").status_code == 404


def test_a_bad_waste_code_is_refused_and_a_good_one_stored(db, portal_company, pallets):
    a = portal_company("Affald ApS")
    bad = post(a, "/portal/exchange/listings/new",
               {"kind": "offer", "category_id": str(pallets.id), "title": "X", "quantity": "1", "unit": "t",
                "place": "", "waste_code": "15 01", "publish": "1"}, content_type="multipart/form-data")
    assert bad.status_code == 422 and "seks cifre" in bad.get_data(as_text=True)
    listing_id = offer(a, pallets, waste_code="15 01 03")
    assert db.session.get(Listing, listing_id).waste_code == "150103"


def test_staff_hide_a_listing_with_a_reason_the_company_sees(db, portal_company, pallets, staff_client):
    a, b = portal_company("Skjul ApS"), portal_company("Ser ApS")
    listing_id = offer(a, pallets)
    post(staff_client, f"/exchange/listings/{listing_id}/hide", {"reason": "Ikke tilladt affald"})
    assert "40 EUR-paller" not in b.get("/portal/exchange/").get_data(as_text=True)
    assert "Ikke tilladt affald" in a.get(f"/portal/exchange/listings/{listing_id}").get_data(as_text=True)
