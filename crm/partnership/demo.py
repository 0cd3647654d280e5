"""Demo partnership: the agreement in force since last year, two invited companies that signed up in the portal
this month and last, one member that gave notice, next year's scheme published as proposed, and an invited company's
contact who may sign (a demo login, to show the offer and signing up)."""

from datetime import timedelta

from sqlalchemy import select

from crm.auth import services as auth_services
from crm.companies.models import Company, CompanyStatus, Contact
from crm.companies.services import add_contact
from crm.contributions import schemes
from crm.contributions.models import ContributionScheme
from crm.extensions import db
from crm.partnership import services
from crm.partnership.models import AgreementVersion, Signature, SignatureKind
from crm.security import Role

AGREEMENT = (
    "# Formål\n\n"
    "Virksomhederne på Avedøre Holme driver erhvervsnetværket sammen med Hvidovre Kommune: netværksmøder, "
    "arbejdsgrupper om affald, energi, vand og natur, og den fælles portal.\n\n"
    "# Bidrag\n\n"
    "- Medlemmerne betaler et årligt bidrag efter den ordning, der er vedtaget for året.\n"
    "- Melder en virksomhed sig ind i årets løb, betaler den for månederne fra indmeldelsen.\n\n"
    "# Udmeldelse\n\n"
    "Udmeldelse sker i portalen med **3 måneders varsel** til udgangen af et kalenderår. Virksomheden bliver i "
    "netværket og får fortsat invitationer.\n"
)


def _with_contact(status, count):
    return db.session.scalars(select(Company).join(Contact, Contact.company_id == Company.id)
                              .where(Company.status == status, Contact.is_primary, Contact.email.is_not(None))
                              .order_by(Company.id.desc()).limit(count)).all()


def add_demo_signer(email, password, name):
    """A portal login for a new contact of the first invited company, one who may sign for it."""
    company = db.session.scalars(select(Company).where(Company.status == CompanyStatus.INVITED)
                                 .order_by(Company.id).limit(1)).first()
    contact = add_contact(company, {"name": name, "email": email, "title": "Direktør", "may_sign": True})
    user = auth_services.create_user(email, password, Role.COMPANY, name=name, company=company)
    user.contact_id = contact.id
    return user


def _propose_next_year(today):
    """Next year's scheme published as proposed (this year's rules), unless next year has a scheme already."""
    year, current = today.year + 1, schemes.active_scheme(today.year)
    if current is None or db.session.scalar(select(ContributionScheme.id).where(ContributionScheme.year == year)
                                                     .limit(1)):
        return
    proposal = schemes.copy_scheme(current)
    proposal.year, proposal.name, proposal.proposed = year, f"Forslag til {year}", True


def load_demo_partnership():
    """The agreement, two sign-ups and a notice, unless an agreement exists; how many signatures."""
    if db.session.scalar(select(AgreementVersion.id).limit(1)):
        return 0
    today = services.today()
    agreement = services.add_version({"title": "Partnerskabsaftale for Avedøre Holme Erhvervsnetværk",
                                      "takes_effect_on": today.replace(year=today.year - 1, month=1, day=1),
                                      "notice_months": 3, "body": AGREEMENT})
    _propose_next_year(today)
    signatures = []
    for months_ago, company in enumerate(_with_contact(CompanyStatus.INVITED, 2)):
        starts_on = services.start_months(today - timedelta(days=31 * months_ago))[0]
        shown = services.offer(company, starts_on.year, starts_on)
        if shown is None:
            continue
        signatures.append(Signature(
            company_id=company.id, kind=SignatureKind.SIGN_UP, agreement_id=agreement.id,
            contact_id=company.primary_contact.id, signer_name=company.primary_contact.name, starts_on=starts_on,
            scheme_id=shown.scheme.id, year=shown.year, net_ore=shown.amount.net_ore, vat_ore=shown.amount.vat_ore,
            signed_at=agreement.created_at - timedelta(days=31 * months_ago)))
        company.status, company.joined_on = CompanyStatus.MEMBER, starts_on
    for company in _with_contact(CompanyStatus.MEMBER, 3)[2:]:
        ends_on = services.notice_end(agreement, today)
        signatures.append(Signature(company_id=company.id, kind=SignatureKind.NOTICE, agreement_id=agreement.id,
                                    contact_id=company.primary_contact.id, signer_name=company.primary_contact.name,
                                    ends_on=ends_on))
        company.left_on = ends_on
    db.session.add_all(signatures)
    db.session.flush()
    return len(signatures)
