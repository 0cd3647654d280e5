"""The swap centre in the benchmark: the datasets' listings (bulk-inserted), and the floor routes of the portal's
exchange page and its search.

Issue 15: "the listing search at scale 100 (about 20,000 listings) and the portal exchange page within 2x the
floor, constant SQL statements". At scale s the dataset has 200s listings of companies drawn at random, in the
migration's categories, published over the last two years: about 65 % open, 15 % closed as exchanged (with a
counterpart and their savings from the factors), 10 % withdrawn, 5 % drafts and 5 % hidden by staff; seven in ten
are offers. The portal user's company (bench/portal.py) has a few open listings of its own, so that its page has
matches to show.
"""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from random import Random

from flask import current_app, request
from sqlalchemy import insert, select, text

from crm.companies.models import Company
from crm.exchange import listings, savings
from crm.exchange.models import Listing
from crm.extensions import db
from crm.http import whole_number

LISTINGS_PER_SCALE = 200
HISTORY_DAYS = 2 * 365
#: (state, share): the rest of the listings are open.
STATES = (("closed-exchanged", 0.15), ("closed", 0.10), ("draft", 0.05), ("hidden", 0.05))
OFFERS = 0.7
#: Open listings of the portal user's company, in these categories (one offer, one need, ...).
OWN_LISTINGS = (("metal", "offer"), ("paller", "need"), ("trae", "offer"), ("plast", "need"))
CHUNK = 10_000

#: The measured search: a word in a category (about a third of the category's titles hold it).
SEARCH_WORD = "stål"
SEARCH_CATEGORY = "metal"

#: category slug -> (titles, units). The titles are what people write; the units what they count in.
TITLES = {
    "paller": (("EUR-paller, hele", "Engangspaller", "Paller i halv størrelse", "Pallerammer i træ"), ("stk",)),
    "emballage": (("Papkasser i flere størrelser", "Bobleplast på ruller", "Strækfilm, rester", "Big bags"),
                  ("stk", "kg")),
    "moebler": (("Kontorstole efter flytning", "Skriveborde med hæve-sænk", "Reoler i stål", "Kantinebord"),
                ("stk",)),
    "it-udstyr": (("Skærme 24 tommer", "Bærbare computere, ældre", "Netværksswitche", "Tastaturer og mus"),
                  ("stk",)),
    "byggematerialer": (("Mursten fra nedrivning", "Gipsplader, hele", "Stålbjælker fra ombygning", "Fliser"),
                        ("t", "stk")),
    "metal": (("Stålrester fra produktionen", "Rustfri stålplader", "Aluminiumsprofiler", "Kobberkabler",
               "Stålspåner", "Jernskrot"), ("t", "kg")),
    "trae": (("Træspåner og afskær", "Brædder fra forskalling", "Krydsfiner, rester", "Savsmuld"), ("t", "kg")),
    "plast": (("Rene plastdunke, 25 l", "PE-folie, ren", "Plastkasser", "Granulat, restparti"), ("kg", "t")),
    "overskudsvarme": (("Overskudsvarme fra køleanlæg", "Varme fra serverrum", "Procesvarme om natten"), ("MWh",)),
    "procesvand": (("Renset procesvand til vask", "Regnvand fra tag", "Kølevand"), ("m3",)),
    "andet": (("Diverse overskud", "Restlager efter ombygning", "Prøver og demomodeller"), ("stk", "kg")),
}
DESCRIPTIONS = ("Kan hentes på adressen efter aftale.", "Står på pladsen bag lageret; læsses med truck.",
                "Vi har løbende mere af samme slags.", "Hentes inden udgangen af måneden.")


def load_listings(scale, seed, portal_company_id=None):
    """The swap centre's listings of a dataset of `scale`, unless it has listings; flush, never commit. Returns the
    number of listings added (0 when there were some already)."""
    from crm.exchange.models import ExchangeCategory

    session = db.session
    if session.scalar(select(Listing.id).limit(1)) is not None:
        return 0
    rng = Random(seed + 15)
    company_ids = session.scalars(select(Company.id).order_by(Company.id)).all()
    categories = {c.slug: c for c in session.scalars(select(ExchangeCategory))}
    now = datetime.now(UTC)
    rows, made = [], 0
    for n in range(LISTINGS_PER_SCALE * scale):
        slug = rng.choice(sorted(TITLES))
        owner = rng.choice(company_ids)
        rows.append(_listing(rng, now, categories[slug], _state(rng), owner, company_ids,
                             "offer" if rng.random() < OFFERS else "need", n))
        if len(rows) >= CHUNK:
            made += _write(rows)
    if portal_company_id is not None:
        for n, (slug, kind) in enumerate(OWN_LISTINGS):
            rows.append(_listing(rng, now, categories[slug], "open", portal_company_id, company_ids, kind, n))
    return made + _write(rows)


def _state(rng):
    draw = rng.random()
    for state, share in STATES:
        if draw < share:
            return state
        draw -= share
    return "open"


def _listing(rng, now, category, state, owner, company_ids, kind, n):
    titles, units = TITLES[category.slug]
    title, unit = rng.choice(titles), rng.choice(units)
    quantity = Decimal(rng.choice((1, 2, 5, 10, 12, 25, 40, 100, 250, 500)))
    published = now - timedelta(days=HISTORY_DAYS * rng.random())
    row = {"company_id": owner, "kind": kind, "category_id": category.id, "title": title,
           "description": rng.choice(DESCRIPTIONS), "quantity": quantity, "unit": unit, "available_from": None,
           "available_to": None, "plot_id": None,
           "price_ore": None if rng.random() < 0.7 else rng.randint(1, 50) * 10_000,
           "waste_code": "170405" if category.slug == "metal" and n % 3 == 0 else None,
           "state": "closed" if state == "closed-exchanged" else state,
           "hidden_reason": "Ikke relevant for byttecentralen." if state == "hidden" else "",
           "created_by_id": None, "created_at": published, "published_at": None if state == "draft" else published,
           "exchanged_with_id": None, "exchanged_quantity": None, "exchanged_on": None, "saved_tonnes": None,
           "saved_co2e_kg": None, "savings_source": ""}
    row["search_text"] = listings.search_text_of(_Text(title, row["description"], row["waste_code"]), category.name)
    if state == "closed-exchanged":
        moved = quantity * Decimal(rng.choice(("1", "0.9", "0.5")))
        found = savings.compute_savings(category.id, unit, moved)
        row.update(exchanged_with_id=rng.choice([c for c in rng.sample(company_ids, 2) if c != owner]),
                   exchanged_quantity=moved, exchanged_on=(published + timedelta(days=rng.randint(1, 30))).date(),
                   saved_tonnes=found.tonnes, saved_co2e_kg=found.co2e_kg, savings_source=found.source)
    return row


class _Text:
    """What search_text_of reads of a listing."""

    def __init__(self, title, description, waste_code):
        self.title, self.description, self.waste_code = title, description, waste_code


def _write(rows):
    if not rows:
        return 0
    db.session.execute(insert(Listing.__table__), rows)
    count = len(rows)
    rows.clear()
    return count


def search_category_id(connection):
    """The id of the measured search's category in a dataset."""
    return connection.scalar(text("SELECT id FROM exchange_categories WHERE slug = :slug"), {"slug": SEARCH_CATEGORY})


# The floor -------------------------------------------------------------------------------------------------------

def portal_exchange():
    """The portal exchange page's queries: a page of open listings (the search's word, category and kind) with its
    count, the categories, the company's matches and its own listings."""
    from bench.portal import portal_user

    company = db.session.get(Company, portal_user().company_id)  # for the distances, as the page has it
    company_id = company.id
    words = request.args.get("q", "")[:200]
    category_id = request.args.get("category", None, type=whole_number)
    kind = request.args.get("kind", "") or None
    page = listings.search_open(words, category_id, kind, request.args.get("page", 1, type=whole_number))
    return current_app.extensions["floor_templates"]["portal_exchange"].render(
        company=company, page=page, categories=listings.categories(active_only=False),
        matches=listings.matches_for_company(company_id, limit=10), own=listings.company_listings(company_id))


PORTAL_EXCHANGE = """<!doctype html>
<title>Byttecentral {{ company.name }}</title>
<ul>{% for ours, theirs in matches %}<li>{{ ours.title }} {{ theirs.title }} {{ theirs.company.name }}
{{ theirs.category.name }}</li>{% endfor %}</ul>
<select name="category">{% for c in categories %}<option value="{{ c.id }}">{{ c.name }}</option>{% endfor %}</select>
<p>{{ page.total }} annoncer</p>
<ul>{% for listing, picture_id in page.items %}<li><a href="/portal/exchange/listings/{{ listing.id }}">
{{ listing.title }}</a> {{ listing.kind }} {{ listing.category.name }} {{ listing.quantity }} {{ listing.unit }}
{{ listing.company.name }} {{ listing.plot.address if listing.plot else listing.company.street }}
{{ listing.price_ore or "" }} {{ listing.published_at }} {{ picture_id or "" }}</li>{% endfor %}</ul>
<ul>{% for listing in own %}<li>{{ listing.title }} {{ listing.state }} {{ listing.category.name }}</li>
{% endfor %}</ul>
"""

FLOOR_ROUTES = {
    "portal_exchange": ("/portal/exchange/", portal_exchange, PORTAL_EXCHANGE),
}
