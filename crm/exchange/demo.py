"""The demo network's swap centre: open offers and needs, some conversations, and exchanges closed with savings."""

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from crm.companies.models import Company, CompanyStatus
from crm.db import utcnow
from crm.exchange.models import (
    Conversation,
    ExchangeCategory,
    Listing,
    ListingKind,
    ListingState,
    Message,
    Unit,
)
from crm.exchange.savings import close_as_exchanged
from crm.extensions import db

#: (category slug, kind, title, quantity, unit)
LISTINGS = [
    ("paller", ListingKind.OFFER, "EUR-paller, hele", 40, Unit.PIECES),
    ("paller", ListingKind.NEED, "Søger engangspaller til forsendelse", 100, Unit.PIECES),
    ("emballage", ListingKind.OFFER, "Papkasser i flere størrelser", 300, Unit.PIECES),
    ("moebler", ListingKind.OFFER, "Kontorstole og skriveborde efter flytning", 25, Unit.PIECES),
    ("it-udstyr", ListingKind.OFFER, "Skærme 24 tommer, virker", 12, Unit.PIECES),
    ("byggematerialer", ListingKind.OFFER, "Mursten fra nedrivning", 8, Unit.TONNES),
    ("metal", ListingKind.OFFER, "Stålrester fra produktionen", 3, Unit.TONNES),
    ("metal", ListingKind.NEED, "Søger rustfri plader", 500, Unit.KG),
    ("trae", ListingKind.OFFER, "Træspåner og afskær", 2, Unit.TONNES),
    ("plast", ListingKind.OFFER, "Rene plastdunke, 25 l", 400, Unit.KG),
    ("overskudsvarme", ListingKind.OFFER, "Overskudsvarme fra køleanlæg", 250, Unit.MWH),
    ("procesvand", ListingKind.NEED, "Søger renset procesvand til vask", 200, Unit.CUBIC_METRES),
]


def load_demo_exchange(rounds=3):
    """Listings of the demo's member companies; about a third closed as exchanged with their savings. Returns
    the number of listings made (none when the swap centre has listings already)."""
    if db.session.scalar(select(Listing.id).limit(1)) is not None:
        return 0
    rng = random.Random(15)
    companies = db.session.scalars(select(Company).where(Company.status == CompanyStatus.MEMBER)
                                   .order_by(Company.id)).all()
    categories = {c.slug: c for c in db.session.scalars(select(ExchangeCategory))}
    if len(companies) < 2:
        return 0
    made, now, today = 0, utcnow(), date.today()
    for round_number in range(rounds):
        for slug, kind, title, quantity, unit in LISTINGS:
            owner = rng.choice(companies)
            published = now - timedelta(days=rng.randint(1, 300))
            listing = Listing(company_id=owner.id, kind=kind, category_id=categories[slug].id, title=title,
                              description="Kan hentes på adressen efter aftale.", quantity=Decimal(quantity),
                              unit=unit, state=ListingState.OPEN, published_at=published, created_at=published,
                              price_ore=None if rng.random() < 0.7 else rng.randint(1, 50) * 10_000)
            listing.search_text = " ".join([title, listing.description, categories[slug].name]).lower()
            db.session.add(listing)
            db.session.flush()
            made += 1
            if round_number == 0 or rng.random() < 0.4:
                partner = rng.choice([c for c in companies if c.id != owner.id])
                talk = Conversation(listing_id=listing.id, company_id=partner.id, created_at=published,
                                    last_message_at=published + timedelta(hours=3))
                db.session.add(talk)
                db.session.flush()
                db.session.add_all([
                    Message(conversation_id=talk.id, company_id=partner.id, body="Vi er interesserede. Hvornår "
                            "kan vi hente?", created_at=published + timedelta(hours=1)),
                    Message(conversation_id=talk.id, company_id=owner.id, body="Fredag formiddag passer fint.",
                            created_at=published + timedelta(hours=3))])
                if kind == ListingKind.OFFER and published.date() < today - timedelta(days=7):
                    moved = (Decimal(quantity) * Decimal(rng.choice(["1", "0.95", "0.8"]))).quantize(Decimal("1"))
                    close_as_exchanged(listing, partner.id, moved, published.date() + timedelta(days=5))
    db.session.flush()
    return made
