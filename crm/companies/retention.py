"""The register's part of the retention run: contact persons of companies that left the network long ago, and
persons without consent who have shown no sign of life for years, are anonymised exactly as at their own request
(crm.companies.services.erase_contact), so every area scrubs its own rows."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select, union

from crm.audit.services import record
from crm.companies.models import Company, CompanyStatus, Contact
from crm.companies.services import erase_contact
from crm.extensions import db
from crm.merging import ANONYMISED_DOMAIN
from crm.signals import RetentionTask, collect, contacts_active_since

ERASED_AFTER_LEAVING = _l("En kontaktperson er anonymiseret, fordi virksomheden har været udmeldt i flere år.")
ERASED_AS_INACTIVE = _l("En kontaktperson uden samtykke og uden aktivitet i flere år er anonymiseret.")


def _not_anonymised():
    return or_(Contact.email.is_(None), ~Contact.email.endswith(f"@{ANONYMISED_DOMAIN}", autoescape=True))


def _left_before(day):
    """Companies that left the network before the day."""
    return select(Company.id).where(Company.status == CompanyStatus.LEFT, Company.left_on < day)


def contacts_of_companies_that_left(cutoff):
    """Ids of the not yet anonymised persons of companies that left before the cutoff."""
    return select(Contact.id).where(Contact.company_id.in_(_left_before(cutoff.date())), _not_anonymised())


def inactive_contacts(cutoff):
    """Ids of the persons without newsletter consent and with no sign of life since the cutoff: not added,
    consenting, changed, attending, logging in or taking part in a group (what the areas answer to
    contacts_active_since). The person a company in the network gets its invitations and minutes through is in
    use, and a company that left with a date is the other rule's, whatever its persons did."""
    active = union(
        select(Contact.id).where(or_(Contact.created_at >= cutoff, Contact.consent_at >= cutoff)),
        *collect(contacts_active_since, cutoff),
    ).subquery()
    active_ids = select(active.c[0]).where(active.c[0].is_not(None))
    left_with_date = select(Company.id).where(Company.status == CompanyStatus.LEFT, Company.left_on.is_not(None))
    in_the_network = select(Company.id).where(Company.status != CompanyStatus.LEFT)
    mailed = and_(or_(Contact.is_primary, Contact.receives_meeting_mail), Contact.company_id.in_(in_the_network))
    return select(Contact.id).where(Contact.newsletter_consent.is_(False), _not_anonymised(), ~mailed,
                                    Contact.company_id.not_in(left_with_date), Contact.id.not_in(active_ids))


def _anonymise(ids, *, apply, rule, note):
    """How many persons the ids select; with apply, each is erased as at their own request, and audited."""
    found = db.session.scalars(ids.order_by(Contact.id)).all()
    if apply:
        for contact_id in found:
            contact = erase_contact(db.session.get(Contact, contact_id), note=note)
            record("contact.anonymised", obj=contact, changes={"retention": rule})
    return len(found)


def anonymise_contacts_of_companies_that_left(cutoff, *, apply):
    return _anonymise(contacts_of_companies_that_left(cutoff), apply=apply, rule="left_company",
                      note=ERASED_AFTER_LEAVING)


def anonymise_inactive_contacts(cutoff, *, apply):
    return _anonymise(inactive_contacts(cutoff), apply=apply, rule="inactive", note=ERASED_AS_INACTIVE)


TASKS = (
    RetentionTask("left_company_contacts", _l("Kontaktpersoner hos virksomheder, der er meldt ud"),
                  anonymise_contacts_of_companies_that_left, setting="RETENTION_LEFT_COMPANY_YEARS", unit="years",
                  action=_l("anonymiseres efter udmeldelsen"), order=10),
    RetentionTask("inactive_contacts", _l("Kontaktpersoner uden samtykke og uden aktivitet"),
                  anonymise_inactive_contacts, setting="RETENTION_INACTIVE_PERSON_YEARS", unit="years",
                  action=_l("anonymiseres"), order=20),
)
