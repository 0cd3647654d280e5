"""Picking a company by its name: the suggestions shown as one types, and reading back what was typed or picked."""

import re

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from wtforms import StringField, ValidationError

from crm.companies.models import Company, CompanyStatus
from crm.companies.search import MAX_QUERY, clean_query_text, search_condition
from crm.cvr import InvalidNumber, normalise_cvr
from crm.extensions import db

#: How many suggestions answer one search as you type; how many names the page lists before any typing.
SUGGESTIONS, FIRST_LIST = 12, 500
#: How many near names a refusal proposes.
PROPOSALS = 5
#: A picked suggestion ends with its CVR number: "Holme Stål A/S (CVR 12345678)".
_PICKED = re.compile(r"\(\s*CVR[-\s.:]*(?:nr\.?)?\s*([0-9 ]{8,11})\s*\)\s*\Z", re.IGNORECASE)


def company_label(company):
    """How a company is offered and written back in a picker: its name and CVR number."""
    return f"{company.name} (CVR {company.cvr})"


def suggestions(text, limit=SUGGESTIONS):
    """(name, cvr) of the companies whose name, CVR number, address or contacts hold every word typed, current ones
    first by name; with nothing typed, the current companies by name (the list a browser without scripts picks
    from, read along the name index)."""
    query = clean_query_text(_PICKED.sub("", text or ""), MAX_QUERY)
    statement = select(Company.name, Company.cvr)
    if query:
        statement = statement.where(*search_condition(query)).order_by(
            Company.status == CompanyStatus.LEFT, Company.name, Company.id)
    else:
        statement = statement.where(Company.status != CompanyStatus.LEFT).order_by(Company.name)
    return db.session.execute(statement.limit(limit)).all()


def find_company(text):
    """The company meant by what was typed or picked: "Name (CVR 12345678)", a CVR number, or a name that only
    one company has. Raises ValidationError with a Danish reason (and near names to choose from) otherwise."""
    text = (text or "").strip()
    picked = _PICKED.search(text)
    cvr = _cvr_or_none(picked.group(1) if picked else text)
    if cvr:
        company = db.session.scalars(select(Company).where(Company.cvr == cvr)).first()
        if company is None:
            raise ValidationError(_l("Der er ingen virksomhed med CVR-nummer %(cvr)s.", cvr=cvr))
        return company
    name = clean_query_text(text, MAX_QUERY)
    same_name = db.session.scalars(select(Company).where(func.lower(Company.name) == name.lower())
                                   .order_by(Company.id).limit(PROPOSALS)).all()
    if len(same_name) == 1:
        return same_name[0]
    near = same_name or suggestions(name, PROPOSALS)
    if not near:
        raise ValidationError(_l("Ingen virksomhed hedder «%(name)s». Skriv en del af navnet og vælg på listen, "
                                 "eller skriv CVR-nummeret.", name=name))
    choices = "; ".join(company_label(company) for company in near)
    if same_name:
        raise ValidationError(_l("Flere virksomheder hedder «%(name)s»: %(choices)s. Vælg den rigtige med "
                                 "CVR-nummer.", name=name, choices=choices))
    raise ValidationError(_l("Ingen virksomhed hedder præcis «%(name)s». Mente du: %(choices)s?", name=name,
                             choices=choices))


def _cvr_or_none(text):
    try:
        return normalise_cvr(text)
    except InvalidNumber:
        return None


class CompanyField(StringField):
    """A company picked by name (suggestions as you type, see templates/_macros/forms.html company_field) or
    written as a CVR number; `company` is the company found, and a refusal keeps what was typed."""

    company = None

    def pre_validate(self, form):
        self.company = None
        if self.data and self.data.strip():
            self.company = find_company(self.data)
