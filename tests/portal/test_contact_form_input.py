"""The portal's contact form refuses what would break a mail header or a list line: a name, title or phone on two
lines or with control characters. The company's own details refuse what the database cannot hold."""

import pytest
from sqlalchemy import select

from crm.companies.models import Company, Contact
from tests.conftest import post


@pytest.mark.parametrize("text", ["Nina\nBcc: alle@example.dk", "Nina\r\nNyhed", "Nina\tNyhed", "Nina\x01"])
def test_a_contact_on_two_lines_is_refused_and_what_was_typed_is_kept(world, db, text):
    for field, message in (("name", "Navnet skal stå på én linje"), ("title", "Stillingen skal stå på én linje"),
                           ("phone", "Telefonnummeret skal stå på én linje")):
        data = {"name": "Nina Nyhed", "email": "nina@vores.example", field: text}
        response = post(world.client, "/portal/company/contacts/new", data)
        assert response.status_code == 422, field
        assert message in response.get_data(as_text=True)
    assert db.session.scalars(select(Contact).where(Contact.email == "nina@vores.example")).first() is None
    edited = post(world.client, f"/portal/company/contacts/{world.contact.id}",
                  {"name": text, "email": world.contact.email})
    assert edited.status_code == 422 and "Navnet skal stå på én linje" in edited.get_data(as_text=True)
    db.session.refresh(world.contact)
    assert world.contact.name == "Karen Kontakt"


def test_a_contact_with_emoji_and_right_to_left_text_is_kept(world, db):
    response = post(world.client, "/portal/company/contacts/new", {
        "name": "Nina 😀 نينا", "title": "Indkøb ‏", "email": "nina@vores.example", "phone": "+45 12 34 56 78"})
    assert response.status_code == 302
    contact = db.session.scalars(select(Contact).where(Contact.email == "nina@vores.example")).one()
    assert (contact.name, contact.phone) == ("Nina 😀 نينا", "+45 12 34 56 78")


def test_the_companys_details_with_a_nul_byte_are_refused_not_a_server_error(world, db):
    for field in ("street", "postal_code", "city", "description"):
        response = post(world.client, "/portal/company", {field: "Stamholmen\x011"})
        assert response.status_code == 422, field
    assert post(world.client, "/portal/company", {"employees": str(2**63)}).status_code == 422
    db.session.expire_all()
    assert db.session.get(Company, world.ours.id).street == ""
