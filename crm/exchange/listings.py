"""The swap centre's listings: writing, publishing, pictures, moderation, and the network's search."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from crm.audit.services import record
from crm.db import utcnow
from crm.exchange.models import ExchangeCategory, Listing, ListingPicture, ListingState
from crm.exchange.pictures import MAX_PICTURES, PictureRefused, prepare_picture
from crm.extensions import db
from crm.pagination import Page

PER_PAGE = 20
#: Words of a search beyond these are left out (each is a condition on the text).
MAX_WORDS = 6


def categories(active_only=True):
    """The categories, by name (only those open for new listings, unless asked for all)."""
    statement = select(ExchangeCategory).order_by(ExchangeCategory.name)
    if active_only:
        statement = statement.where(ExchangeCategory.active)
    return db.session.scalars(statement).all()


def search_text_of(listing, category_name):
    """What the search looks in: the listing's title, description, category and waste code, lower-cased."""
    return " ".join([listing.title or "", listing.description or "", category_name, listing.waste_code or ""]).lower()


def save_listing(listing, company, values, by, publish):
    """Create (listing None) or change a listing of the company from the form's values; publish it or keep it a
    draft. Returns the listing."""
    if listing is None:
        listing = Listing(company_id=company.id, created_by_id=by.id, state=ListingState.DRAFT)
        db.session.add(listing)
    for key, value in values.items():
        setattr(listing, key, value)
    category = db.session.get(ExchangeCategory, listing.category_id)
    listing.search_text = search_text_of(listing, category.name if category else "")
    if publish and listing.state == ListingState.DRAFT:
        listing.state = ListingState.OPEN
        listing.published_at = listing.published_at or utcnow()
    db.session.flush()
    return listing


def withdraw(listing):
    """Close a listing without an exchange (nothing moved, or it went elsewhere)."""
    listing.state = ListingState.CLOSED
    db.session.flush()


def add_pictures(listing, uploads):
    """Add the uploaded pictures [(bytes, filename)] to the listing, up to MAX_PICTURES in all; PictureRefused
    (naming the file) for the first that cannot be used, before any is added."""
    room = MAX_PICTURES - len(listing.pictures)
    if len(uploads) > room:
        raise PictureRefused(_l("En annonce kan have højst %(count)d billeder.", count=MAX_PICTURES))
    prepared = []
    for data, filename in uploads:
        try:
            prepared.append(prepare_picture(data))
        except PictureRefused as refused:
            raise PictureRefused(f"{filename[:80]}: {refused}") from None
    for data, content_type, width, height in prepared:
        listing.pictures.append(ListingPicture(data=data, content_type=content_type, width=width, height=height))
    db.session.flush()


def remove_picture(picture):
    """Take a picture off its listing."""
    db.session.delete(picture)
    db.session.flush()


def hide(listing, reason, by):
    """Staff hide a listing from the network, with a reason the company sees."""
    listing.state, listing.hidden_reason = ListingState.HIDDEN, reason
    record("exchange.listing_hidden", actor=by, obj=listing, changes={"reason": reason})
    db.session.flush()


def unhide(listing, by):
    """Staff show a hidden listing again."""
    listing.state, listing.hidden_reason = ListingState.OPEN, ""
    listing.published_at = listing.published_at or utcnow()
    record("exchange.listing_shown", actor=by, obj=listing)
    db.session.flush()


def _first_picture():
    return (select(func.min(ListingPicture.id)).where(ListingPicture.listing_id == Listing.id)
            .correlate(Listing).scalar_subquery())


def search_open(words="", category_id=None, kind=None, page=1, per_page=PER_PAGE):
    """A page of the network's open listings matching every word (title, description, category, waste code), the
    category and the kind, newest first; each item is (listing, id of its first picture or None)."""
    conditions = [Listing.state == ListingState.OPEN]
    for word in (words or "").lower().split()[:MAX_WORDS]:
        conditions.append(Listing.search_text.contains(word, autoescape=True))
    if category_id:
        conditions.append(Listing.category_id == category_id)
    if kind:
        conditions.append(Listing.kind == kind)
    total = db.session.scalar(select(func.count(Listing.id)).where(*conditions))
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(
        select(Listing, _first_picture()).where(*conditions)
        .options(joinedload(Listing.company), joinedload(Listing.plot), joinedload(Listing.category))
        .order_by(Listing.published_at.desc(), Listing.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(items=[tuple(row) for row in rows], total=total, page=page, per_page=per_page)


def company_listings(company_id):
    """The company's own listings in every state, newest first."""
    return db.session.scalars(
        select(Listing).where(Listing.company_id == company_id)
        .options(joinedload(Listing.category), joinedload(Listing.exchanged_with))
        .order_by(Listing.created_at.desc(), Listing.id.desc())).all()


def matches_for_company(company_id, since=None, limit=20):
    """(ours, theirs) pairs: an open listing of the company and an open listing of another company of the other
    kind (offer against need) in the same category; with `since`, only pairs where either was published since."""
    theirs = Listing.__table__.alias("theirs")
    conditions = [Listing.company_id == company_id, Listing.state == ListingState.OPEN,
                  theirs.c.state == ListingState.OPEN.value, theirs.c.company_id != company_id,
                  theirs.c.category_id == Listing.category_id, theirs.c.kind != Listing.kind]
    if since is not None:
        conditions.append((Listing.published_at >= since) | (theirs.c.published_at >= since))
    pairs = db.session.execute(
        select(Listing.id, theirs.c.id).where(*conditions)
        .order_by(theirs.c.published_at.desc(), theirs.c.id.desc()).limit(limit)).all()
    wanted = {listing_id for pair in pairs for listing_id in pair}
    loaded = {row.id: row for row in db.session.scalars(
        select(Listing).where(Listing.id.in_(wanted))
        .options(joinedload(Listing.company), joinedload(Listing.category)))} if wanted else {}
    return [(loaded[ours], loaded[other]) for ours, other in pairs]

