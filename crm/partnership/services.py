"""The partnership's use cases: the agreement's versions, a company's offer, signing up, accepting a new version,
giving notice and ending memberships whose notice has run out. Flush, never commit."""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.audit.services import record
from crm.companies.models import ActivityKind, Company, CompanyStatus
from crm.companies.services import log_activity, update_company
from crm.contributions import schemes
from crm.extensions import db
from crm.i18n import LOCAL
from crm.partnership import notifications
from crm.partnership.models import AgreementVersion, Signature, SignatureKind


class SigningRefused(Exception):
    """A signature that cannot be given; str() is the reason: "may_not_sign", "no_agreement", "no_scheme",
    "already_member", "not_member", "notice_given", "bad_month"."""


def today(now=None):
    """The Danish calendar day."""
    return (now or datetime.now(UTC)).astimezone(LOCAL).date()


# --- the agreement -------------------------------------------------------------------------------------------

def current_agreement(on=None):
    """The version in force on the day: the latest that has taken effect (None before the first)."""
    return db.session.scalar(select(AgreementVersion).where(AgreementVersion.takes_effect_on <= (on or today()))
                             .order_by(AgreementVersion.takes_effect_on.desc(), AgreementVersion.id.desc()).limit(1))


def add_version(values, *, by=None):
    """A new version of the agreement; it is shown to members from the day it takes effect."""
    version = AgreementVersion(**values, created_by_id=getattr(by, "id", None))
    db.session.add(version)
    db.session.flush()
    record("partnership.agreement_added", actor=by, obj=version,
           changes={"title": version.title, "takes_effect_on": version.takes_effect_on.isoformat(),
                    "notice_months": version.notice_months})
    return version


def versions():
    return db.session.scalars(select(AgreementVersion).order_by(AgreementVersion.takes_effect_on.desc(),
                                                                AgreementVersion.id.desc())).all()


# --- what a company would pay --------------------------------------------------------------------------------

@dataclass
class Offer:
    year: int
    scheme: object
    #: calculation.Amount: net, VAT, months, notes
    amount: object
    #: The parts as the invoice lists them (contributions.notifications.invoice_lines)
    lines: list

    @property
    def proposed(self):
        """Only proposed: the year's scheme is not adopted yet."""
        return not self.scheme.active


def offer(company, year, starts_on=None):
    """What the company would pay for the year as a member from starts_on, or None without a scheme to show."""
    scheme = schemes.proposed_or_active(year)
    if scheme is None:
        return None
    amount, lines = schemes.amount_if_paying(scheme, company, starts_on)
    return Offer(year, scheme, amount, lines)


def start_months(on=None, count=12):
    """The months a company can join from: this month and the next ones, as their first days."""
    first = (on or today()).replace(day=1)
    return [date(first.year + (first.month - 1 + step) // 12, (first.month - 1 + step) % 12 + 1, 1)
            for step in range(count)]


def default_start(months):
    """The month offered first: next month, or this month when next month's year has no scheme to show yet and
    this month's has (in December, before next year's scheme is published)."""
    following = months[min(1, len(months) - 1)]
    if schemes.proposed_or_active(following.year) is None and schemes.proposed_or_active(months[0].year):
        return months[0]
    return following


def notice_end(agreement, given_on):
    """The last day of membership for notice given on the day: the end of the calendar year in which the notice
    period (the agreement's months) runs out."""
    months = given_on.month - 1 + agreement.notice_months
    return date(given_on.year + months // 12, 12, 31)


# --- signatures ----------------------------------------------------------------------------------------------

def may_sign(user):
    """True when the login is a contact person of its company with the right to sign (or its primary contact)."""
    contact = user.contact
    return bool(contact and contact.company_id == user.company_id and (contact.may_sign or contact.is_primary))


def is_member(company, on=None):
    return company.status == CompanyStatus.MEMBER and (company.left_on is None or company.left_on >= (on or today()))


def signatures(company):
    return db.session.scalars(select(Signature).where(Signature.company_id == company.id)
                              .order_by(Signature.signed_at.desc(), Signature.id.desc())).all()


def accepted_version(company):
    """The latest agreement version the company has signed up under or accepted (None: none)."""
    return db.session.scalar(
        select(AgreementVersion).join(Signature, Signature.agreement_id == AgreementVersion.id)
        .where(Signature.company_id == company.id, Signature.kind != SignatureKind.NOTICE)
        .order_by(Signature.signed_at.desc(), Signature.id.desc()).limit(1))


def _signature(company, user, agreement, kind, **values):
    if not may_sign(user):
        raise SigningRefused("may_not_sign")
    if agreement is None:
        raise SigningRefused("no_agreement")
    signature = Signature(company_id=company.id, kind=kind, agreement_id=agreement.id, contact_id=user.contact_id,
                          user_id=user.id, signer_name=user.contact.name, **values)
    db.session.add(signature)
    db.session.flush()
    return signature


def sign_up(company, user, agreement, starts_on, *, on=None):
    """The company joins from the month chosen: it accepts the agreement and the year's contribution as shown.
    It becomes a member from starts_on; the next billing run bills it (by month); a confirmation with the
    agreement as PDF goes to the signer."""
    if is_member(company, on):
        raise SigningRefused("already_member")
    if starts_on not in start_months(on):
        raise SigningRefused("bad_month")
    shown = offer(company, starts_on.year, starts_on)
    if shown is None:
        raise SigningRefused("no_scheme")
    signature = _signature(company, user, agreement, SignatureKind.SIGN_UP, starts_on=starts_on,
                           scheme_id=shown.scheme.id, year=shown.year, net_ore=shown.amount.net_ore,
                           vat_ore=shown.amount.vat_ore)
    update_company(company, {"status": CompanyStatus.MEMBER, "joined_on": starts_on}, by=user)
    log_activity(company.id, ActivityKind.NOTE,
                 _l("Meldt ind i partnerskabet i portalen af %(name)s fra %(day)s (aftalen «%(title)s»)",
                    name=signature.signer_name, day=starts_on.strftime("%d.%m.%Y"), title=agreement.title),
                 author=user, obj=signature)
    record("partnership.signed_up", actor=user, obj=company,
           changes={"agreement": agreement.id, "starts_on": starts_on.isoformat(), "year": shown.year,
                    "net_ore": shown.amount.net_ore, "vat_ore": shown.amount.vat_ore, "scheme": shown.scheme.id})
    notifications.notify_signed(signature, user)
    return signature


def accept_version(company, user, agreement):
    """A member accepts the version of the agreement in force."""
    if not is_member(company):
        raise SigningRefused("not_member")
    signature = _signature(company, user, agreement, SignatureKind.ACCEPTANCE)
    log_activity(company.id, ActivityKind.NOTE,
                 _l("Ny version af partnerskabsaftalen accepteret i portalen af %(name)s (aftalen «%(title)s»)",
                    name=signature.signer_name, title=agreement.title), author=user, obj=signature)
    record("partnership.accepted", actor=user, obj=company, changes={"agreement": agreement.id})
    notifications.notify_signed(signature, user)
    return signature


def give_notice(company, user, agreement, *, on=None):
    """A member gives notice: the membership ends at the end of the period the agreement says, billing stops
    after it, and the company stays in the network."""
    if not is_member(company, on):
        raise SigningRefused("not_member")
    if company.left_on is not None:
        raise SigningRefused("notice_given")
    ends_on = notice_end(agreement, on or today()) if agreement else None
    signature = _signature(company, user, agreement, SignatureKind.NOTICE, ends_on=ends_on)
    update_company(company, {"left_on": ends_on}, by=user)
    log_activity(company.id, ActivityKind.NOTE,
                 _l("Udmeldelse af partnerskabet givet i portalen af %(name)s; medlemskabet slutter %(day)s",
                    name=signature.signer_name, day=ends_on.strftime("%d.%m.%Y")), author=user, obj=signature)
    record("partnership.notice_given", actor=user, obj=company, changes={"ends_on": ends_on.isoformat()})
    notifications.notify_signed(signature, user)
    return signature


def end_memberships(on=None, *, by=None):
    """Members whose notice has run out become invited again (they stay in the network); how many."""
    ended = db.session.scalars(select(Company).where(Company.status == CompanyStatus.MEMBER,
                                                     Company.left_on < (on or today()))
                               .with_for_update(skip_locked=True)).all()  # two app processes: each company once
    for company in ended:
        update_company(company, {"status": CompanyStatus.INVITED, "left_on": company.left_on}, by=by)
    return len(ended)


# --- what staff see ------------------------------------------------------------------------------------------

def recent(kind, since, limit=20):
    """Signatures of the kind since the day, newest first, with their companies."""
    start = datetime(since.year, since.month, since.day, tzinfo=LOCAL)
    return db.session.scalars(select(Signature).join(Signature.company)
                              .where(Signature.kind == kind, Signature.signed_at >= start)
                              .order_by(Signature.signed_at.desc()).limit(limit)).all()


def pending_notices(on=None):
    """Members under notice whose membership has not ended yet, the soonest end first."""
    return db.session.scalars(select(Company).where(Company.status == CompanyStatus.MEMBER,
                                                    Company.left_on >= (on or today()))
                              .order_by(Company.left_on, Company.name)).all()
