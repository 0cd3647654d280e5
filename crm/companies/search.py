"""The company list: search, filters and sorting, the same for the page and its export."""

import re
from dataclasses import dataclass, field
from math import ceil

from sqlalchemy import column, false, func, select, text
from sqlalchemy.orm import selectinload

from crm.companies.models import Company, CompanyRole, CompanyStatus, CompanyTag
from crm.extensions import db
from crm.pagination import Page
from crm.signals import collect, company_filter, company_filter_choices

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
#: The longest search that is used; what is longer is cut (a name or address is at most 200 characters).
MAX_QUERY = 200
#: Tags and working-group slugs are at most 50 characters.
MAX_NAME = 50

_SPACES = re.compile("[\t\n\r\v\f\x85\u2028\u2029]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def clean_query_text(text, limit):
    """A text from a query string as the search can use it: line breaks and tabs as spaces, other control
    characters dropped (PostgreSQL refuses NUL in a text), trimmed and cut to `limit` characters."""
    if not isinstance(text, str):
        return ""
    return _CONTROL.sub("", _SPACES.sub(" ", text[:limit * 4])).strip()[:limit].strip()


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
        """The filters of a query string or form; whatever it holds, the result is safe to query with."""
        sort = args.get("sort", "name")
        return cls(
            q=clean_query_text(args.get("q", ""), MAX_QUERY),
            role=args.get("role", "") if args.get("role", "") in set(CompanyRole) else "",
            status=args.get("status", "") if args.get("status", "") in set(CompanyStatus) else "",
            tag=clean_query_text(args.get("tag", ""), MAX_NAME).lower(),
            group=clean_query_text(args.get("group", ""), MAX_NAME).lower(),
            sort=sort if sort in SORTABLE else "name",
            desc=args.get("dir") == "desc",
        )

    def as_args(self, **overrides):
        values = {"q": self.q, "role": self.role, "status": self.status, "tag": self.tag, "group": self.group,
                  "sort": self.sort,
                  "dir": "desc" if self.desc else ""}
        values.update(overrides)
        return {key: value for key, value in values.items() if value}


def _fts_expression(terms):
    return " AND ".join('"' + term.replace('"', '""') + '"' for term in terms)


def _fts_matches(terms):
    return (
        text("SELECT rowid FROM company_search WHERE company_search MATCH :expression")
        .bindparams(expression=_fts_expression(terms))
        .columns(column("rowid"))
    )


def _indexed_terms(q):
    """The words the SQLite FTS5 trigram index can answer (three letters or more); none on PostgreSQL."""
    if db.session.get_bind().dialect.name != "sqlite":
        return []
    return [term for term in q.lower().split() if len(term) >= TRIGRAM]


def search_condition(q, *, scan=False):
    """Every word of the query must occur in the company's search text (case-insensitive, æøå included).

    With `scan`, SQLite checks the words row by row instead of asking FTS5: when many companies match and the
    list is sorted by name, walking the name index and stopping after one page beats sorting every match.
    """
    terms = [term for term in q.lower().split() if term]
    indexed = [] if scan else _indexed_terms(q)
    conditions = [Company.id.in_(_fts_matches(indexed))] if indexed else []
    for term in terms:
        if term not in indexed:  # PostgreSQL: LIKE is answered by the pg_trgm index
            conditions.append(Company.search_text.contains(term, autoescape=True))
    return conditions


def filter_conditions(filters, *, scan=False):
    """The WHERE clauses of the filters."""
    conditions = search_condition(filters.q, scan=scan) if filters.q else []
    if filters.role:
        conditions.append(Company.role == CompanyRole(filters.role))
    if filters.status:
        conditions.append(Company.status == CompanyStatus(filters.status))
    if filters.tag:
        conditions.append(Company.id.in_(select(CompanyTag.company_id).where(CompanyTag.tag == filters.tag)))
    if filters.group:  # the working groups answer it (crm.groups.signals)
        conditions.extend(collect(company_filter, "group", value=filters.group) or [false()])
    return conditions


def company_statement(filters, *, scan=False):
    """SELECT of the companies the filters describe, sorted; the same for the page and the export."""
    order = SORTABLE[filters.sort]
    order = order.desc() if filters.desc else order.asc()
    tiebreak = Company.id.desc() if filters.desc else Company.id.asc()
    return select(Company).where(*filter_conditions(filters, scan=scan)).order_by(order, tiebreak)


#: The list counts matches up to this many; past it the page says "over 5.000" (an exact count of a search that
#: matches most of the register costs a scan of every match, and tells staff nothing more).
COUNT_CAP = 5000


def count_companies(filters):
    """How many companies the filters describe, counted without selecting their columns, and at most
    COUNT_CAP + 1: more than COUNT_CAP means "over COUNT_CAP"."""
    terms = _indexed_terms(filters.q) if filters.q else []
    only_indexed_search = terms and len(terms) == len(filters.q.split()) and not (
        filters.role or filters.status or filters.tag or filters.group)
    if only_indexed_search:  # the FTS table holds one row per company: count there
        return db.session.scalar(
            text("SELECT count(*) FROM (SELECT 1 FROM company_search WHERE company_search MATCH :expression "
                 "LIMIT :limit)")
            .bindparams(expression=_fts_expression(terms), limit=COUNT_CAP + 1)
        )
    matches = select(Company.id).where(*filter_conditions(filters)).limit(COUNT_CAP + 1)
    return db.session.scalar(select(func.count()).select_from(matches.subquery()))


#: Above this many matches a name-sorted SQLite search walks the name index instead of sorting FTS5's answer.
DENSE_MATCHES = 2000


def company_page(filters, page, per_page=50):
    """One page of the company list, with tags and contacts loaded in two more queries (no N+1). Past COUNT_CAP
    matches the total is COUNT_CAP + 1 (page.over_cap), and the pages reach the first COUNT_CAP of them."""
    total = count_companies(filters)
    over_cap = total > COUNT_CAP
    pages = ceil(min(total, COUNT_CAP) / per_page)
    page = min(max(page, 1), max(1, pages))
    scan = bool(filters.q) and filters.sort == "name" and total > DENSE_MATCHES
    statement = (
        company_statement(filters, scan=scan)
        .options(selectinload(Company.tags), selectinload(Company.contacts))
        .limit(per_page).offset((page - 1) * per_page)
    )
    return Page(db.session.scalars(statement).all(), min(total, COUNT_CAP), page, per_page, over_cap=over_cap)


def all_groups():
    """(slug, name) of every working group, for the filter."""
    return collect(company_filter_choices, "group")


def all_tags():
    """Every tag in use, sorted, for the filter.

    A loose index scan: each step asks the tag index for the next tag after the last one, so the few tags cost a
    few index lookups instead of a DISTINCT over every company's tags (tens of thousands of rows at scale 100).
    """
    tag = CompanyTag.tag
    steps = select(func.min(tag).label("tag")).cte("tags", recursive=True)
    following = select(func.min(tag)).where(tag > steps.c.tag).scalar_subquery()
    steps = steps.union_all(select(following).where(steps.c.tag.is_not(None)))
    return db.session.scalars(select(steps.c.tag).where(steps.c.tag.is_not(None)).order_by(steps.c.tag)).all()
