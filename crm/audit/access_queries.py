"""Reading the access log: who has seen a person's or a company's data, and what a user has looked at.

The audit is core: it reads the register's tables by name (as crm.audit.presentation does), never its models.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import distinct, func, or_, select

from crm.audit.access_models import AccessEntry, AccessKind
from crm.extensions import db
from crm.pagination import Page

KIND_LABELS = {
    AccessKind.CONTACT: _l("Kontaktperson åbnet"),
    AccessKind.COMPANY_CONTACTS: _l("Virksomhed med kontaktpersoner"),
    AccessKind.SEARCH: _l("Liste eller søgning"),
    AccessKind.EXPORT: _l("Udtræk (fil)"),
    AccessKind.DATA_ZIP: _l("Data-ZIP"),
    AccessKind.OUTBOX_BODY: _l("Mail i udbakken"),
    AccessKind.API: _l("API"),
}
#: The page counts groups of rows up to this many; past it the pager says "over".
COUNT_CAP = 5000
#: Candidates shown for a search text, of each kind.
CANDIDATES = 20
#: The columns of one request's reads: its rows are one line on the page.
_REQUEST = (AccessEntry.at, AccessEntry.user_id, AccessEntry.user_email, AccessEntry.user_role, AccessEntry.address,
            AccessEntry.kind, AccessEntry.path)
SUBJECTS = {"contact": AccessEntry.contact_id, "company": AccessEntry.company_id, "user": AccessEntry.user_id}


@dataclass(frozen=True)
class Subject:
    """What the page asks about: ("contact" | "company" | "user", id), or nothing (the latest reads)."""

    kind: str | None = None
    id: int | None = None

    def condition(self):
        return SUBJECTS[self.kind] == self.id if self.kind else None

    def args(self):
        return {self.kind: self.id} if self.kind else {}


def _where(statement, subject):
    condition = subject.condition()
    return statement if condition is None else statement.where(condition)


def reads_page(subject, page, per_page=50):
    """One page of reads, newest first, one line per request: its time, reader, address, kind and page, how many
    persons and companies it read and (the first of) them."""
    grouped = _where(select(
        *_REQUEST, func.count(AccessEntry.contact_id).label("persons"),
        func.min(AccessEntry.contact_id).label("contact_id"),
        func.count(distinct(AccessEntry.company_id)).label("companies"),
        func.min(AccessEntry.company_id).label("company_id"),
    ), subject).group_by(*_REQUEST)
    total = db.session.scalar(select(func.count()).select_from(grouped.limit(COUNT_CAP + 1).subquery()))
    pages = max(1, -(-min(total, COUNT_CAP) // per_page))
    page = min(max(page, 1), pages)
    rows = db.session.execute(grouped.order_by(AccessEntry.at.desc(), AccessEntry.user_email)
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(rows, min(total, COUNT_CAP), page, per_page, over_cap=total > COUNT_CAP)


def export_rows(subject):
    """Every row of the subject's reads, newest first (for the export: one line per row, ids only)."""
    return db.session.scalars(_where(select(AccessEntry), subject)
                              .order_by(AccessEntry.at.desc(), AccessEntry.id.desc())).all()


def _table(name):
    return db.metadata.tables[name]


def _persons():
    """SELECT of persons with their company: id, name, email, company_id, company."""
    contacts, companies = _table("contacts"), _table("companies")
    return select(contacts.c.id, contacts.c.name, contacts.c.email, contacts.c.company_id,
                  companies.c.name.label("company")).join(companies, companies.c.id == contacts.c.company_id)


def person(contact_id):
    """The person (id, name, email, company_id, company) or None when the row is gone."""
    return db.session.execute(_persons().where(_table("contacts").c.id == contact_id)).first()


def names(rows):
    """({contact id: person row}, {company id: name}) of the persons and companies the lines name."""
    contact_ids = {row.contact_id for row in rows if row.contact_id is not None}
    company_ids = {row.company_id for row in rows if row.company_id is not None}
    contacts, companies = _table("contacts"), _table("companies")
    persons = {person.id: person for person in db.session.execute(
        _persons().where(contacts.c.id.in_(contact_ids)))} if contact_ids else {}
    company_names = dict(db.session.execute(select(companies.c.id, companies.c.name)
                                            .where(companies.c.id.in_(company_ids))).all()) if company_ids else {}
    return persons, company_names


def candidates(text):
    """(persons, companies, users) whose name or e-mail (or a company's CVR, address) holds the text, a few of
    each."""
    if not text:
        return [], [], []
    lowered = text.lower()
    contacts, companies, users = _table("contacts"), _table("companies"), _table("users")
    persons = db.session.execute(
        _persons().where(or_(func.lower(contacts.c.name).contains(lowered, autoescape=True),
                             contacts.c.email.contains(lowered, autoescape=True)))
        .order_by(contacts.c.name, contacts.c.id).limit(CANDIDATES)).all()
    found = db.session.execute(
        select(companies.c.id, companies.c.name, companies.c.cvr)
        .where(companies.c.search_text.contains(lowered, autoescape=True))
        .order_by(companies.c.name, companies.c.id).limit(CANDIDATES)).all()
    logins = db.session.execute(select(users.c.id, users.c.email, users.c.role)
                                .where(users.c.email.contains(lowered, autoescape=True))
                                .order_by(users.c.email).limit(CANDIDATES)).all()
    return persons, found, logins


def subject_title(subject):
    """The subject as the page names it: the person (and company), the company or the user; by id when the row is
    gone (a removed person, a merged company, a deleted user: the log keeps their ids)."""
    if subject.kind == "contact":
        found = person(subject.id)
        return (_l("Kontaktperson: %(name)s, %(company)s", name=found.name, company=found.company)
                if found else _l("Kontaktperson nr. %(id)s (findes ikke længere)", id=subject.id))
    if subject.kind == "company":
        companies = _table("companies")
        name = db.session.scalar(select(companies.c.name).where(companies.c.id == subject.id))
        return (_l("Virksomhed: %(name)s", name=name) if name
                else _l("Virksomhed nr. %(id)s (findes ikke længere)", id=subject.id))
    if subject.kind == "user":
        users = _table("users")
        email = db.session.scalar(select(users.c.email).where(users.c.id == subject.id)) or db.session.scalar(
            select(AccessEntry.user_email).where(AccessEntry.user_id == subject.id).limit(1))
        return _l("Bruger: %(email)s", email=email) if email else _l("Bruger nr. %(id)s", id=subject.id)
    return _l("Seneste opslag")
