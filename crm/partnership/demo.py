"""Demo partnership: the agreement in force since last year, two invited companies that signed up in the portal
this month and last, and one member that gave notice."""

from datetime import timedelta

from sqlalchemy import select

from crm.companies.models import Company, CompanyStatus, Contact
from crm.extensions import db
from crm.partnership import services
from crm.partnership.models import AgreementVersion, Signature, SignatureKind

AGREEMENT = """# Formål

Virksomhederne på Avedøre Holme driver erhvervsnetværket sammen med Hvidovre Kommune: netværksmøder,
arbejdsgrupper om affald, energi, vand og natur, og den fælles portal.

# Bidrag

- Medlemmerne betaler et årligt bidrag efter den ordning, der er vedtaget for året.
- Melder en virksomhed sig ind i årets løb, betaler den for månederne fra indmeldelsen.

# Udmeldelse

Udmeldelse sker i portalen med **3 måneders varsel** til udgangen af et kalenderår. Virksomheden bliver i netværket
og får fortsat invitationer.
"""


def _with_contact(status, count):
    return db.session.scalars(select(Company).join(Contact, Contact.company_id == Company.id)
                              .where(Company.status == status, Contact.is_primary, Contact.email.is_not(None))
                              .order_by(Company.id.desc()).limit(count)).all()


def load_demo_partnership():
    """The agreement, two sign-ups and a notice, unless an agreement exists; how many signatures."""
    if db.session.scalar(select(AgreementVersion.id).limit(1)):
        return 0
    today = services.today()
    agreement = services.add_version({"title": "Partnerskabsaftale for Avedøre Holme Erhvervsnetværk",
                                      "takes_effect_on": today.replace(year=today.year - 1, month=1, day=1),
                                      "notice_months": 3, "body": AGREEMENT})
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
