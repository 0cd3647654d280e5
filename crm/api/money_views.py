"""The API's contributions (the companies' invoices) and their payments."""

from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from crm.api.access import token_required
from crm.api.errors import refuse
from crm.api.paging import keyset_page
from crm.api.schemas import ID_MAX, ContributionArgs, ContributionSchema, page_of
from crm.contributions.models import Contribution
from crm.extensions import db
from crm.security import company_scoped

blp = Blueprint("api_contributions", __name__, description="Bidrag (fakturaer) og indbetalinger; beløb i øre.")


def _contributions():
    return company_scoped(select(Contribution).options(selectinload(Contribution.payments)),
                          Contribution.company_id)


@blp.get("/contributions")
@blp.arguments(ContributionArgs, location="query", as_kwargs=True)
@blp.response(200, page_of(ContributionSchema))
@token_required()
def contributions(limit, cursor=None, year=None, company=None, state=None):
    """Bidragene (year, company, state) med indbetalinger; et virksomheds-token ser sin egen virksomheds."""
    statement = _contributions()
    if year is not None:
        statement = statement.where(Contribution.year == year)
    if company is not None:
        statement = statement.where(Contribution.company_id == company)
    if state is not None:
        statement = statement.where(Contribution.state == state)
    return keyset_page(statement, Contribution.id, {"limit": limit, "cursor": cursor})


@blp.get(f"/contributions/<int(max={ID_MAX}):contribution_id>")
@blp.response(200, ContributionSchema)
@token_required()
def contribution(contribution_id):
    """Ét bidrag med indbetalinger."""
    found = db.session.scalars(_contributions().where(Contribution.id == contribution_id)).first()
    if found is None:
        refuse(404, _("Bidraget findes ikke, eller tokenet når det ikke."))
    return found
