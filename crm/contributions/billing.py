"""Billing runs: one contribution per paying company and year, numbered from one gap-free sequence per year.

The sequence is a row per year (InvoiceSequence). Taking numbers updates it, and its lock is held until the
transaction ends; a rolled-back run gives its numbers back. A billing run takes that lock first, without waiting
on PostgreSQL: of two runs started at once one bills and the other is told (BillingInProgress).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import selectinload

from crm.audit.services import record
from crm.companies.models import Company
from crm.contributions import notifications, schemes
from crm.contributions.models import Contribution, ContributionState, InvoiceSequence
from crm.db import utcnow
from crm.extensions import db


class BillingRefused(Exception):
    """A billing run that cannot start; `reason` says why ("no_scheme" or "in_progress")."""

    def __init__(self, reason, year):
        super().__init__(f"{reason}: {year}")
        self.reason, self.year = reason, year


@dataclass
class BillingResult:
    year: int
    scheme: object
    #: (company id, calculation.Amount) billed now, or that would be in a dry run
    billed: list = field(default_factory=list)
    already_billed: int = 0
    #: billed but not mailed: no contact with an e-mail address, or a recipient refused (state draft)
    not_mailed: int = 0
    #: notifications.Skipped: the recipients the outbox refused (their invoices are among not_mailed)
    skipped: list = field(default_factory=list)
    waived: int = 0

    @property
    def net_ore(self):
        return sum(amount.net_ore for _, amount in self.billed)

    @property
    def total_ore(self):
        return sum(amount.total_ore for _, amount in self.billed)


def lock_year(year):
    """Take the year's sequence row for this transaction; BillingRefused("in_progress") if another has it."""
    if db.session.get(InvoiceSequence, year) is None:  # adopting a scheme makes it; this is the fallback
        try:
            with db.session.begin_nested():
                db.session.add(InvoiceSequence(year=year, last_number=0))
        except IntegrityError:
            pass  # another transaction made it first
    statement = select(InvoiceSequence).where(InvoiceSequence.year == year)
    try:
        if db.engine.dialect.name == "postgresql":
            db.session.execute(statement.with_for_update(nowait=True))
        else:  # SQLite has one writer: the first write takes the database lock (or fails after the busy timeout)
            db.session.execute(update(InvoiceSequence).where(InvoiceSequence.year == year)
                               .values(last_number=InvoiceSequence.last_number))
    except OperationalError as error:
        db.session.rollback()
        raise BillingRefused("in_progress", year) from error


def take_numbers(year, count):
    """The next `count` numbers of the year's sequence, in order (call lock_year first)."""
    last = db.session.scalar(
        update(InvoiceSequence).where(InvoiceSequence.year == year)
        .values(last_number=InvoiceSequence.last_number + count).returning(InvoiceSequence.last_number),
        execution_options={"synchronize_session": False})
    return list(range(last - count + 1, last + 1))


def bill(year, *, dry_run=False, today=None, by=None):
    """Bill every paying company not yet billed for the year under its active scheme, and mail the invoices."""
    scheme = schemes.active_scheme(year)
    if scheme is None:
        raise BillingRefused("no_scheme", year)
    if not dry_run:
        lock_year(year)
    billed_ids = set(db.session.scalars(select(Contribution.company_id).where(Contribution.year == year)))
    amounts = schemes.calculate(scheme)  # all payers: the owner/tenant split depends on who pays
    result = BillingResult(year, scheme, already_billed=len(billed_ids))
    result.billed = [(amount.company_id, amount) for amount in amounts if amount.company_id not in billed_ids]
    if dry_run or not result.billed:
        return result
    today = today or date.today()
    companies = {company.id: company for company in db.session.scalars(
        select(Company).where(Company.id.in_([company_id for company_id, _ in result.billed]))
        .options(selectinload(Company.contacts)))}  # who gets each invoice, read in one query
    adjustments = {adjustment.company_id: adjustment for adjustment in scheme.adjustments}
    contributions = []
    for number, (company_id, amount) in zip(take_numbers(year, len(result.billed)), result.billed, strict=True):
        contribution = Contribution(
            company=companies[company_id], year=year, scheme=scheme, invoice_number=number, invoice_date=today,
            due_date=today + timedelta(days=scheme.due_days), net_ore=amount.net_ore, vat_ore=amount.vat_ore,
            months=amount.months, tier=schemes.tier_key(scheme, amount.tier), role=amount.role,
            lines=notifications.invoice_lines(scheme, amount, adjustments.get(company_id)),
            state=ContributionState.DRAFT, paid_ore=0, note="",
        )
        contributions.append(contribution)
    db.session.add_all(contributions)
    db.session.flush()
    mails = notifications.InvoiceMails()
    for contribution in contributions:
        if contribution.net_ore == 0:
            contribution.state = ContributionState.WAIVED
            result.waived += 1
        elif mails.queue(contribution, "invoice"):
            contribution.state, contribution.sent_at = ContributionState.SENT, utcnow()
        else:
            result.not_mailed += 1
    mails.write()
    result.skipped = mails.skipped
    db.session.flush()
    record("contributions.billed", actor=by, obj=scheme,
           changes={"year": year, "invoices": len(contributions), "net_ore": result.net_ore,
                    "not_mailed": result.not_mailed, "skipped": [str(skipped) for skipped in result.skipped]})
    return result


def recipients(result):
    """[(company, [the contact its invoice goes to])] of a dry run's invoices; a waived invoice is not mailed."""
    ids = [company_id for company_id, amount in result.billed if amount.net_ore]
    companies = db.session.scalars(select(Company).where(Company.id.in_(ids))
                                   .options(selectinload(Company.contacts)).order_by(Company.name)).all()
    return [(company, [notifications.recipient(company)]) for company in companies]


def sample_invoice(result, today=None):
    """An unsaved contribution like the first of a dry run's invoices, for the mail's preview (None: nothing billed)."""
    company_id, amount = next(((company_id, amount) for company_id, amount in result.billed if amount.net_ore),
                              (None, None))
    if company_id is None:
        return None
    today = today or date.today()
    # Not a Contribution: one linked to its company would join the session and be flushed with the run.
    return SimpleNamespace(company=db.session.get(Company, company_id), year=result.year,
                           invoice_label=f"{result.year}-…", total_ore=amount.total_ore, paid_ore=0,
                           due_date=today + timedelta(days=result.scheme.due_days))


class RecipientRefused(Exception):
    """The invoice's recipient cannot be written in a mail; `skipped` names the company and the contact."""

    def __init__(self, skipped):
        super().__init__(str(skipped))
        self.skipped = skipped


def send_invoice(contribution, *, by=None):
    """Mail a draft invoice (say, once the company has a contact); False when nobody can receive it,
    RecipientRefused when its contact cannot be written in a mail (noted on the company's timeline)."""
    if contribution.state != ContributionState.DRAFT:
        return False
    queued, skipped = notifications.mail_one(contribution, "invoice")
    if skipped:
        db.session.flush()
        raise RecipientRefused(skipped)
    if not queued:
        return False
    contribution.state, contribution.sent_at = ContributionState.SENT, utcnow()
    record("contributions.invoice_sent", actor=by, obj=contribution)
    db.session.flush()
    return True
