"""The company list: search, filters and sorting, the same for the page and its export."""

from dataclasses import dataclass, field

from sqlalchemy import column, select, text
from sqlalchemy.orm import selectinload

from crm.companies.models import Company, CompanyRole, CompanyStatus, CompanyTag
from crm.extensions import db

SORTABLE = {
    "name": Company.name,
    "cvr": Company.cvr,
    "street": Company.street,
    "role": Company.role,
    "status": Company.status,
    "employees": Company.employees,
    "area": Company.area_m2,
    "created": Company.created_at,
}
#: The FTS5 trigram index answers terms of three characters or more; shorter ones scan.
TRIGRAM = 3


@dataclass
class CompanyFilters:
    q: str = ""
    role: str = ""
    status: str = ""
    tag: str = ""
    group: str = ""
    sort: str = "name"
    desc: bool = False
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_args(cls, args):
        sort = args.get("sort", "name")
        return cls(
            q=args.get("q", "").strip()[:200],
            role=args.get("role", "") if args.get("role", "") in set(CompanyRole) else "",
            status=args.get("status", "") if args.get("status", "") in set(CompanyStatus) else "",
            tag=args.get("tag", "").strip().lower()[:50],
            sort=sort if sort in SORTABLE else "name",
            desc=args.get("dir") == "desc",
        )

    def as_args(self, **overrides):
        values = {"q": self.q, "role": self.role, "status": self.status, "tag": self.tag, "sort": self.sort,
                  "dir": "desc" if self.desc else ""}
        values.update(overrides)
        return {key: value for key, value in values.items() if value}


def _fts_expression(terms):
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)


def search_condition(q):
    """Every word of the query must occur in the company's search text (case-insensitive, æøå included)."""
    terms = [term for term in q.lower().split() if term]
    conditions = []
    dialect = db.session.get_bind().dialect.name
    indexed = [term for term in terms if len(term) >= TRIGRAM] if dialect == "sqlite" else []
    if indexed:
        matches = (
            text("SELECT rowid FROM company_search WHERE company_search MATCH :expression")
            .bindparams(expression=_fts_expression(indexed))
            .columns(column("rowid"))
        )
        conditions.append(Company.id.in_(matches))
    for term in terms:
        if term not in indexed:  # PostgreSQL: LIKE is answered by the pg_trgm index
            conditions.append(Company.search_text.contains(term, autoescape=True))
    return conditions


def company_statement(filters):
    """SELECT of the companies the filters describe, sorted; the same for the page and the export."""
    statement = select(Company)
    if filters.q:
        statement = statement.where(*search_condition(filters.q))
    if filters.role:
        statement = statement.where(Company.role == CompanyRole(filters.role))
    if filters.status:
        statement = statement.where(Company.status == CompanyStatus(filters.status))
    if filters.tag:
        statement = statement.where(
            Company.id.in_(select(CompanyTag.company_id).where(CompanyTag.tag == filters.tag))
        )
    order = SORTABLE[filters.sort]
    order = order.desc() if filters.desc else order.asc()
    tiebreak = Company.id.desc() if filters.desc else Company.id.asc()
    return statement.order_by(order, tiebreak)


def company_page(filters, page, per_page=50):
    """One page of the company list, with tags and contacts loaded in two more queries (no N+1)."""
    statement = company_statement(filters).options(selectinload(Company.tags), selectinload(Company.contacts))
    return db.paginate(statement, page=page, per_page=per_page, error_out=False)


def all_tags():
    return db.session.scalars(select(CompanyTag.tag).distinct().order_by(CompanyTag.tag)).all()
