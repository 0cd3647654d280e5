"""Shared set-up for the partnership tests: an agreement in force, and a company user who may sign."""

from datetime import date

from crm.auth import services as auth_services
from crm.companies import services as company_services
from crm.partnership import services
from crm.security import Role
from tests.conftest import PASSWORD

AGREEMENT_TEXT = """# Formål

Virksomhederne på Avedøre Holme driver netværket sammen.

- Bidraget betales årligt
- Udmeldelse med **3 måneders** varsel til et kalenderårs udgang
"""


def an_agreement(db, *, takes_effect_on=date(2020, 1, 1), title="Partnerskabsaftale 2020", notice_months=3):
    agreement = services.add_version({"title": title, "takes_effect_on": takes_effect_on, "body": AGREEMENT_TEXT,
                                      "notice_months": notice_months})
    db.session.commit()
    return agreement


def a_signer(db, company, email, *, name="Signe Direktør", primary=True, may_sign=False):
    """A company user who is one of the company's contacts (the primary one, unless said otherwise)."""
    contact = company_services.add_contact(company, {"name": name, "email": email, "is_primary": primary,
                                                     "may_sign": may_sign})
    user = auth_services.create_user(email, PASSWORD, Role.COMPANY, name=name, company=company)
    user.contact_id = contact.id
    db.session.commit()
    return user
