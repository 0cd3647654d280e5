"""Demo data of joining: two companies new to Avedøre Holme that asked to join at /join and wait for staff."""

import random
from datetime import timedelta

from sqlalchemy import select

from crm.companies.demo_generate import new_cvr
from crm.companies.models import Company, CompanyRole
from crm.db import utcnow
from crm.extensions import db
from crm.joining.models import JoinRequest
from crm.joining.services import CONSENT_TEXT_VERSION

#: (name, street, role, contact, e-mail local part, phone, days ago)
DEMO_REQUESTS = (
    ("Holmens Cykelværksted ApS", "Stamholmen 197", CompanyRole.TENANT, "Maja Frederiksen", "maja",
     "+45 31 22 45 67", 2),
    ("Avedøre Solcelleservice A/S", "Avedøreholmen 96", CompanyRole.OWNER, "Jonas Kirk", "jonas", "", 6),
)


def load_demo_join_requests(seed=18):
    """Two pending requests with fictional CVR numbers not in the register; none when there are some already."""
    if db.session.scalars(select(JoinRequest.id).limit(1)).first() is not None:
        return 0
    rng = random.Random(seed)
    taken = set(db.session.scalars(select(Company.cvr)))
    now = utcnow()
    for name, street, role, contact, local, phone, days in DEMO_REQUESTS:
        domain = name.split()[1].lower().replace("æ", "ae").replace("ø", "oe") + ".example"
        db.session.add(JoinRequest(
            cvr=new_cvr(rng, taken), name=name, street=street, postal_code="2650", city="Hvidovre", role=role,
            contact_name=contact, contact_email=f"{local}@{domain}", contact_phone=phone,
            consent_at=now - timedelta(days=days), consent_text_version=CONSENT_TEXT_VERSION,
            address="192.0.2.18", created_at=now - timedelta(days=days)))
    return len(DEMO_REQUESTS)
