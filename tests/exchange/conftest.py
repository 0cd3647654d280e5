"""Companies with logged-in portal users, for the swap centre's tests."""

import pytest
from sqlalchemy import select

from crm.companies.models import Contact
from crm.exchange.models import ExchangeCategory, ExchangeMailChoice
from crm.security import Role
from tests.conftest import login


@pytest.fixture
def portal_company(app, db, make_company, make_user):
    """make(name, street) -> a client logged in as a user of a new company, with a contact who gets every mail."""

    def make(name, street="", email=None):
        company = make_company(name=name, street=street, postal_code="2650", city="Hvidovre")
        contact = Contact(company=company, name=f"Kontakt hos {name}", email=email or f"kontakt{company.id}@firma.dk")
        db.session.add(contact)
        db.session.flush()
        db.session.add(ExchangeMailChoice(contact_id=contact.id, messages=True, digest=True))
        user = make_user(Role.COMPANY, company=company)
        user.name, user.contact_id = f"Bruger hos {name}", contact.id
        db.session.commit()
        client = app.test_client()
        assert login(client, user.email).status_code == 302
        client.user, client.company, client.contact = user, company, contact
        return client

    return make


@pytest.fixture
def pallets(db):
    return db.session.scalars(select(ExchangeCategory).where(ExchangeCategory.slug == "paller")).one()
