"""The API's companies, contacts, plots and timeline entries."""

from flask_babel import gettext as _
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from crm.api.access import log_persons_read, own_company_id, token_required
from crm.api.errors import refuse
from crm.api.paging import keyset_page
from crm.api.schemas import (
    ID_MAX,
    ActivityInput,
    ActivitySchema,
    CompanyArgs,
    CompanySchema,
    ContactArgs,
    ContactSchema,
    PlotArgs,
    PlotSchema,
    WithRows,
    page_of,
)
from crm.companies import search, services
from crm.companies.models import Company, Contact, Plot, Tenancy
from crm.extensions import db
from crm.security import company_scoped, get_for_company_or_404

blp = Blueprint("api_companies", __name__, description="Virksomheder, kontaktpersoner, grunde og tidslinjen.")


@blp.get("/companies")
@blp.arguments(CompanyArgs, location="query", as_kwargs=True)
@blp.response(200, page_of(CompanySchema))
@token_required()
def companies(limit, cursor=None, **filters):
    """Virksomhederne, filtreret som firmalisten (q, status, role, tag, group); et virksomheds-token ser kun sin
    egen."""
    filters = search.CompanyFilters.from_args({key: str(value) for key, value in filters.items()})
    statement = company_scoped(select(Company).where(*search.filter_conditions(filters)), Company.id)
    return keyset_page(statement.options(selectinload(Company.tags)), Company.id, {"limit": limit, "cursor": cursor})


@blp.get(f"/companies/<int(max={ID_MAX}):company_id>")
@blp.response(200, CompanySchema)
@token_required()
def company(company_id):
    """Én virksomhed."""
    return get_for_company_or_404(Company, company_id, Company.id)


@blp.post(f"/companies/<int(max={ID_MAX}):company_id>/activities")
@blp.arguments(ActivityInput)
@blp.response(201, ActivitySchema)
@token_required(staff=True, write=True)
def add_activity(values, company_id):
    """Skriv en note, et opkald eller et besøg på virksomhedens tidslinje (kun medarbejder-tokens, læse og
    skrive): tidslinjen er erhvervsteamets egen, virksomheden ser den ikke."""
    company = db.get_or_404(Company, company_id)
    activity = services.add_activity(company, values["kind"], values["text"], by=current_user,
                                     occurred_at=values.get("occurred_at"))
    db.session.commit()
    return activity


@blp.get("/contacts")
@blp.arguments(ContactArgs, location="query", as_kwargs=True)
@blp.response(200, page_of(ContactSchema))
@token_required(staff=True)
def contacts(limit, cursor=None, company=None):
    """Kontaktpersonerne (kun medarbejder-tokens)."""
    statement = select(Contact)
    if company is not None:
        statement = statement.where(Contact.company_id == company)
    page = keyset_page(statement, Contact.id, {"limit": limit, "cursor": cursor})
    log_persons_read(page["items"])
    return page


@blp.get(f"/contacts/<int(max={ID_MAX}):contact_id>")
@blp.response(200, ContactSchema)
@token_required(staff=True)
def contact(contact_id):
    """Én kontaktperson (kun medarbejder-tokens)."""
    return log_persons_read([db.get_or_404(Contact, contact_id)])[0]


def _plots_statement(company_id):
    """Plots the company owns or rents (every plot for None)."""
    statement = select(Plot).options(selectinload(Plot.tenancies))
    if company_id is None:
        return statement
    rented = select(Tenancy.plot_id).where(Tenancy.company_id == company_id)
    return statement.where(or_(Plot.owner_id == company_id, Plot.id.in_(rented)))


def _as_seen(plot):
    """The plot as the token's user may see it: a company sees only itself as owner and tenant."""
    own = own_company_id()
    if own is None:
        return plot
    return WithRows(plot, owner_id=plot.owner_id if plot.owner_id == own else None,
                    tenancies=[tenancy for tenancy in plot.tenancies if tenancy.company_id == own])


@blp.get("/plots")
@blp.arguments(PlotArgs, location="query", as_kwargs=True)
@blp.response(200, page_of(PlotSchema))
@token_required()
def plots(limit, cursor=None, company=None):
    """Grundene (matrikler) med ejer og lejere; et virksomheds-token ser dem, virksomheden ejer eller lejer."""
    own = own_company_id()
    if own is not None and company not in (None, own):
        return {"items": [], "next_cursor": None}
    page = keyset_page(_plots_statement(own or company), Plot.id, {"limit": limit, "cursor": cursor})
    return {**page, "items": [_as_seen(plot) for plot in page["items"]]}


@blp.get(f"/plots/<int(max={ID_MAX}):plot_id>")
@blp.response(200, PlotSchema)
@token_required()
def plot(plot_id):
    """Én grund."""
    found = db.session.scalars(_plots_statement(own_company_id()).where(Plot.id == plot_id)).first()
    if found is None:
        refuse(404, _("Grunden findes ikke, eller tokenet når den ikke."))
    return _as_seen(found)
