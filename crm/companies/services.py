"""Use cases of the company register. Services flush, never commit."""

import re
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from crm.audit.services import diff, former_values, record
from crm.companies.models import (
    Activity,
    ActivityKind,
    Company,
    CompanyStatus,
    CompanyTag,
    Contact,
    Plot,
    Tenancy,
)
from crm.cvr import normalise_cvr
from crm.db import utcnow
from crm.extensions import db
from crm.i18n import kept_message
from crm.merging import ANONYMISED_DOMAIN, ANONYMISED_NAME
from crm.signals import (
    contact_email_changed,
    contact_erased,
    contact_removed,
)

COMPANY_FIELDS = (
    "cvr", "p_number", "ean", "name", "street", "postal_code", "city", "role", "employees", "area_m2",
    "industry", "status", "joined_on", "left_on", "website", "advertising_protected", "description",
    "directory_listed",
)
CONTACT_FIELDS = (
    "name", "title", "email", "phone", "is_primary", "receives_meeting_mail", "may_sign", "lawful_basis", "source",
    "newsletter_consent", "consent_text_version", "consent_channel",
)
LEGAL_SUFFIXES = re.compile(r"\b(aps|a/s|as|i/s|is|k/s|ks|ivs|p/s|smba|amba|fmba)\b\.?", re.IGNORECASE)


class DuplicateCompany(ValueError):
    """A company with this CVR number is already in the register."""

    def __init__(self, existing):
        super().__init__(existing.cvr)
        self.existing = existing


class DuplicateContact(ValueError):
    """The company already has a contact with this e-mail."""


def search_text_for(company, contacts=()):
    """What the search looks in: name, CVR, address and the contacts' names and e-mails, lower-cased."""
    parts = [company.name, company.cvr, company.street, company.postal_code, company.city]
    for contact in contacts:
        parts.extend((contact.name, contact.email or ""))
    return " ".join(part for part in parts if part).lower()


def refresh_search_text(company):
    """Bring the company's search text in step with its details and contacts."""
    company.search_text = search_text_for(company, company.contacts)


def log_activity(company_id, kind, text, *, author=None, obj=None, occurred_at=None):
    """Add an entry to a company's timeline (notes, calls, visits, mails sent, meetings attended). A text the
    system writes is given as lazy_gettext(...): it is kept in Danish and shown in each reader's language."""
    text, message, values = kept_message(text)
    activity = Activity(
        company_id=company_id,
        kind=ActivityKind(kind),
        text=text,
        message=message,
        message_values=values,
        author_id=getattr(author, "id", None),
        object_type=obj.__tablename__ if obj is not None else None,
        object_id=obj.id if obj is not None else None,
        occurred_at=occurred_at or utcnow(),
    )
    db.session.add(activity)
    return activity


def find_by_cvr(cvr):
    return db.session.scalars(select(Company).where(Company.cvr == cvr)).first()


def parse_tags(text):
    """Free tags from a comma-separated text: trimmed, lower-cased, unique, in order."""
    seen = []
    for tag in (text or "").split(","):
        tag = tag.strip().lower()[:50]
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def set_tags(company, tags):
    wanted = parse_tags(tags if isinstance(tags, str) else ",".join(tags or ()))
    company.tags = [tag for tag in company.tags if tag.tag in wanted]
    present = {tag.tag for tag in company.tags}
    company.tags.extend(CompanyTag(tag=tag) for tag in wanted if tag not in present)


def create_company(values, *, by=None, tags=()):
    """Register a new company; the same CVR twice is refused with the existing company."""
    values = dict(values)
    values["cvr"] = normalise_cvr(values["cvr"])
    existing = find_by_cvr(values["cvr"])
    if existing is not None:
        raise DuplicateCompany(existing)
    company = Company(**{key: value for key, value in values.items() if key in COMPANY_FIELDS})
    set_tags(company, tags)
    db.session.add(company)
    company.search_text = search_text_for(company)
    db.session.flush()
    log_activity(company.id, ActivityKind.CHANGE, _l("Virksomheden blev oprettet i registret."), author=by)
    record("company.create", actor=by, obj=company, changes={"cvr": company.cvr, "name": company.name})
    return company


def update_company(company, values, *, by=None, tags=None):
    """Change a company's details; the change is audited and noted on the timeline."""
    values = {key: value for key, value in values.items() if key in COMPANY_FIELDS}
    if "cvr" in values:
        values["cvr"] = normalise_cvr(values["cvr"])
        other = find_by_cvr(values["cvr"])
        if other is not None and other.id != company.id:
            raise DuplicateCompany(other)
    if values.get("status", company.status) not in (company.status, CompanyStatus.LEFT) and "left_on" not in values:
        values["left_on"] = None  # back in the network, or a member again: no longer "left on" a day
    # (the same status keeps the day: a member under notice to leave the partnership stays under notice)
    changes = diff(company, values)
    if tags is not None:
        before = company.tag_names
        set_tags(company, tags)
        if company.tag_names != before:
            changes["tags"] = [", ".join(before), ", ".join(company.tag_names)]
    for key, value in values.items():
        setattr(company, key, value)
    if changes:
        refresh_search_text(company)
        fields = ", ".join(sorted(changes))
        log_activity(company.id, ActivityKind.CHANGE, _l("Oplysninger ændret: %(fields)s", fields=fields), author=by)
        record("company.update", actor=by, obj=company, changes=changes)
    db.session.flush()
    return changes


def mark_left(company, left_on=None, *, by=None):
    """Note that a company has left the area; its history stays."""
    left_on = left_on or date.today()
    changes = update_company(company, {"status": CompanyStatus.LEFT, "left_on": left_on}, by=by)
    return changes


def similar_companies(name, *, exclude_id=None, limit=5):
    """Companies whose name, without legal suffixes and case, equals or contains this one (or the reverse)."""
    core = LEGAL_SUFFIXES.sub("", name or "").strip(" .,&-").lower()
    if len(core) < 3:
        return []
    statement = select(Company).where(func.lower(Company.name).contains(core, autoescape=True))
    if exclude_id:
        statement = statement.where(Company.id != exclude_id)
    return db.session.scalars(statement.order_by(Company.name).limit(limit)).all()


def companies_with_contact_email(email, *, exclude_id=None):
    """Other companies that already have a contact with this e-mail."""
    if not email:
        return []
    statement = select(Company).join(Contact).where(Contact.email == email.strip().lower())
    if exclude_id:
        statement = statement.where(Company.id != exclude_id)
    return db.session.scalars(statement.distinct().order_by(Company.name)).all()


def _clean_contact_values(values):
    values = {key: value for key, value in values.items() if key in CONTACT_FIELDS}
    if "email" in values:
        values["email"] = (values["email"] or "").strip().lower() or None
    return values


def _make_only_primary(contact):
    for other in contact.company.contacts:
        if other is not contact:
            other.is_primary = False


def add_contact(company, values, *, by=None):
    """Add a contact person; the e-mail must be new within the company."""
    values = _clean_contact_values(values)
    if values.get("email") and any(c.email == values["email"] for c in company.contacts):
        raise DuplicateContact(values["email"])
    contact = Contact(**values)
    if values.get("newsletter_consent"):
        contact.consent_at = utcnow()
    company.contacts.append(contact)
    if contact.is_primary or len(company.contacts) == 1:
        contact.is_primary = True
        _make_only_primary(contact)
    refresh_search_text(company)
    db.session.flush()
    log_activity(company.id, ActivityKind.CHANGE, _l("Kontaktperson tilføjet: %(name)s", name=contact.name),
                 author=by)
    record("contact.create", actor=by, obj=contact, changes={"company_id": company.id})
    return contact


def update_contact(contact, values, *, by=None):
    """Change a contact person; consent changes keep their time."""
    values = _clean_contact_values(values)
    company = contact.company
    if values.get("email") and any(c.email == values["email"] and c is not contact for c in company.contacts):
        raise DuplicateContact(values["email"])
    changes = diff(contact, values)
    for key, value in values.items():
        setattr(contact, key, value)
    if "email" in changes:
        contact_email_changed.send(contact, old_email=changes["email"][0], by=by)
    if "newsletter_consent" in changes:
        contact.consent_at = utcnow() if contact.newsletter_consent else None
    if contact.is_primary:
        _make_only_primary(contact)
    if changes:
        refresh_search_text(company)
        record("contact.update", actor=by, obj=contact, changes=changes)
    db.session.flush()
    return changes


def remove_contact(contact, *, by=None):
    """Remove a contact person: the timeline keeps its words, the person is gone, and so is their portal login."""
    company = contact.company
    was_primary = contact.is_primary
    contact_removed.send(contact, by=by)  # e.g. the portal login and its open links end with the person
    record("contact.delete", actor=by, object_type="contacts", object_id=contact.id,
           changes={"company_id": company.id})
    company.contacts.remove(contact)
    db.session.delete(contact)
    if was_primary and company.contacts:
        company.contacts[0].is_primary = True
    refresh_search_text(company)
    log_activity(company.id, ActivityKind.CHANGE, _l("En kontaktperson blev fjernet."), author=by)
    db.session.flush()


def add_activity(company, kind, text, *, by=None, occurred_at=None):
    """A note, call or visit written by staff on the company's timeline."""
    activity = log_activity(company.id, kind, text.strip(), author=by, occurred_at=occurred_at)
    db.session.flush()
    return activity


def placeholder_email(contact):
    """A non-deliverable address, unique per contact, that keeps (company, e-mail) unique."""
    return f"kontakt-{contact.id}@{ANONYMISED_DOMAIN}"


ERASED_AT_REQUEST = _l("En kontaktperson er anonymiseret efter anmodning.")


def erase_contact(contact, *, by=None, note=ERASED_AT_REQUEST):
    """Anonymise a person at their request (or when past the retention period; `note` says why on the timeline):
    "Anonymiseret", without e-mail, phone or consent, no longer mailed; every area removes the person from its rows
    (contact_erased), and counts (attendance, invitations) stay true."""
    old_name, old_email = contact.name, contact.email
    # The person as known now and as the log remembers them (a name or e-mail changed since).
    words = sorted({old_name, old_email, *former_values("contacts", contact.id, ("name", "email"))} - {None, ""},
                   key=lambda word: (-len(word), word))
    contact.name, contact.title, contact.phone = ANONYMISED_NAME, "", ""
    contact.email = placeholder_email(contact)
    contact.newsletter_consent, contact.consent_at = False, None
    contact.consent_text_version, contact.consent_channel = None, None
    contact.receives_meeting_mail = False
    if contact.is_primary:
        contact.is_primary = False
        others = [other for other in contact.company.contacts if other is not contact]
        if others:
            others[0].is_primary = True
    db.session.flush()
    contact_erased.send(contact, old_name=old_name, old_email=old_email, words=words, by=by)
    refresh_search_text(contact.company)
    log_activity(contact.company_id, ActivityKind.CHANGE, note, author=by)
    db.session.flush()
    return contact


def meeting_mail_contacts(company):
    """Who gets a company's invitations and minutes: the primary contact and those chosen too, with e-mail."""
    return [contact for contact in company.contacts
            if contact.email and (contact.is_primary or contact.receives_meeting_mail)]


def plots_of(company):
    """The plots the company owns (with their tenants) and its tenancies (with plot and owner), no N+1."""
    owned = db.session.scalars(
        select(Plot).where(Plot.owner_id == company.id)
        .options(joinedload(Plot.tenancies).joinedload(Tenancy.company)).order_by(Plot.cadastral_number)
    ).unique().all()
    rented = db.session.scalars(
        select(Tenancy).where(Tenancy.company_id == company.id)
        .options(joinedload(Tenancy.plot).joinedload(Plot.owner)).order_by(Tenancy.from_date.desc())
    ).all()
    return owned, rented


def add_plot(owner, values, *, by=None):
    """Register a plot owned by the company."""
    plot = Plot(owner_id=owner.id, **values)
    db.session.add(plot)
    db.session.flush()
    record("plot.create", actor=by, obj=plot, changes={"owner": owner.cvr, **{k: str(v) for k, v in values.items()}})
    return plot


def add_tenancy(plot, tenant, from_date=None, to_date=None, *, by=None):
    """Record that a company rents (part of) a plot."""
    tenancy = Tenancy(plot_id=plot.id, company_id=tenant.id, from_date=from_date, to_date=to_date)
    db.session.add(tenancy)
    db.session.flush()
    log_activity(tenant.id, ActivityKind.CHANGE,
                 _l("Lejer på %(plot)s (ejer: %(owner)s).", plot=plot.cadastral_number,
                   owner=plot.owner.name if plot.owner else "?"), author=by)
    record("tenancy.create", actor=by, obj=tenancy, changes={"plot": plot.cadastral_number, "tenant": tenant.cvr})
    return tenancy


def count_companies(*conditions):
    return db.session.scalar(select(func.count()).select_from(Company).where(*conditions))

