"""What an exchange saved: tonnes kept from waste and CO2e avoided, from the factors admin keep per category and
unit; and the year's figures of the swap centre."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import distinct, func, or_, select, union

from crm.exchange.models import MASS_UNITS, ExchangeCategory, Listing, ListingState, SavingsFactor
from crm.extensions import db
from crm.i18n import LOCAL

TONNES = Decimal("0.001")
KG = Decimal("0.1")


@dataclass
class Savings:
    #: Tonnes kept from waste (None: the unit weighs nothing known and no factor says what it weighs).
    tonnes: Decimal | None
    #: Kilograms of CO2e avoided (None: no factor for the category and unit).
    co2e_kg: Decimal | None
    #: The factor's source, or "" without one.
    source: str


def factor_for(category_id, unit):
    return db.session.scalars(select(SavingsFactor).where(SavingsFactor.category_id == category_id,
                                                          SavingsFactor.unit == unit)).first()


def compute_savings(category_id, unit, quantity):
    """The savings of moving `quantity` of the unit in the category; without a factor, tonnes only (for the units
    that are a mass) and no CO2e."""
    factor = factor_for(category_id, unit)
    if factor is None:
        tonnes = (quantity * MASS_UNITS[unit]).quantize(TONNES) if unit in MASS_UNITS else None
        return Savings(tonnes, None, "")
    source = factor.source + (" (skøn)" if factor.estimate and "skøn" not in factor.source.lower() else "")
    return Savings((quantity * factor.tonnes_per_unit).quantize(TONNES),
                   (quantity * factor.co2e_kg_per_unit).quantize(KG), source)


def close_as_exchanged(listing, counterpart_id, quantity, on):
    """Close the listing as exchanged: with whom (None: outside the network), how much moved and when; the savings
    are computed now and kept with the factor's source."""
    savings = compute_savings(listing.category_id, listing.unit, quantity)
    listing.state = ListingState.CLOSED
    listing.exchanged_with_id, listing.exchanged_quantity, listing.exchanged_on = counterpart_id, quantity, on
    listing.saved_tonnes, listing.saved_co2e_kg, listing.savings_source = (savings.tonnes, savings.co2e_kg,
                                                                           savings.source)
    db.session.flush()
    return savings


def save_factor(factor, values):
    """Create (factor None) or change a savings factor."""
    if factor is None:
        factor = SavingsFactor()
        db.session.add(factor)
    for key, value in values.items():
        setattr(factor, key, value)
    db.session.flush()
    return factor


def add_category(name, slug):
    """A new category for listings."""
    category = ExchangeCategory(name=name, slug=slug)
    db.session.add(category)
    db.session.flush()
    return category


@dataclass
class YearFigures:
    year: int
    listings: int
    exchanges: int
    tonnes: Decimal
    co2e_kg: Decimal
    companies: int
    #: [(category name, listings, exchanges, tonnes, CO2e kg)]
    by_category: list
    #: Exchanges whose savings count tonnes only (no factor for their category and unit).
    without_factor: int


def _in_year(year):
    """The conditions on listings: published in the year (local time), and exchanged in it."""
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    begins, ends = (datetime(y, 1, 1, tzinfo=LOCAL).astimezone(UTC) for y in (year, year + 1))
    return ((Listing.published_at >= begins) & (Listing.published_at < ends),
            (Listing.exchanged_on >= start) & (Listing.exchanged_on < end))


def taking_part(year):
    """SELECT of the ids of the companies taking part in the year: with a listing published or exchanged in it, or
    the counterpart of an exchange (a company may appear more than once)."""
    published, exchanged = _in_year(year)
    return union(select(Listing.company_id).where(or_(published, exchanged)),
                 select(Listing.exchanged_with_id).where(exchanged, Listing.exchanged_with_id.is_not(None)))


def year_figures(year):
    """The swap centre's year: listings published, exchanges closed, tonnes and CO2e saved, companies taking part
    (with a listing published or an exchange), by category."""
    published, exchanged = _in_year(year)
    rows = db.session.execute(
        select(ExchangeCategory.name,
               func.count(Listing.id).filter(published),
               func.count(Listing.id).filter(exchanged),
               func.coalesce(func.sum(Listing.saved_tonnes).filter(exchanged), 0),
               func.coalesce(func.sum(Listing.saved_co2e_kg).filter(exchanged), 0),
               func.count(Listing.id).filter(exchanged & Listing.saved_co2e_kg.is_(None)))
        .join(Listing, Listing.category_id == ExchangeCategory.id).where(or_(published, exchanged))
        .group_by(ExchangeCategory.name).order_by(ExchangeCategory.name)).all()
    taking = taking_part(year).subquery()
    companies = db.session.scalar(select(func.count(distinct(taking.c.company_id))))
    by_category = [(name, n, x, Decimal(t), Decimal(c)) for name, n, x, t, c, _none in rows]
    return YearFigures(year, sum(r[1] for r in by_category), sum(r[2] for r in by_category),
                       sum((r[3] for r in by_category), Decimal(0)), sum((r[4] for r in by_category), Decimal(0)),
                       companies or 0, by_category, sum(r[5] for r in rows))
