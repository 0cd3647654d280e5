"""The year's overview (billed, paid, outstanding, overdue; by tier and by role) and the exports.

The finance export has one line per invoice (and credit note) and one per payment, with plain numbers in kroner
(`1250.00`), so the municipality's finance system and any spreadsheet read them.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from crm.contributions.calculation import Amount
from crm.contributions.models import Contribution, ContributionState, Payment
from crm.extensions import db
from crm.mail.delivery import NOTHING, delivery_states
from crm.pagination import Page

FINANCE_COLUMNS = ("type", "year", "number", "date", "due_date", "cvr", "company", "net_kr", "vat_kr", "total_kr",
                   "reference", "state")


@dataclass
class YearOverview:
    year: int
    invoices: int = 0
    billed_ore: int = 0
    paid_ore: int = 0
    outstanding_ore: int = 0
    overdue_ore: int = 0
    overdue: int = 0
    by_state: dict = field(default_factory=lambda: defaultdict(int))
    #: key -> [invoices, billed øre, paid øre]
    by_tier: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    by_role: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))


def overview(year, today=None):
    """The year's figures; credited and waived invoices count in by_state only."""
    today = today or date.today()
    result = YearOverview(year)
    rows = db.session.execute(select(Contribution.state, Contribution.net_ore, Contribution.vat_ore,
                                     Contribution.paid_ore, Contribution.due_date, Contribution.tier,
                                     Contribution.role).where(Contribution.year == year))
    for state, net, vat, paid, due_date, tier, role in rows:
        shown = ContributionState.OVERDUE if state in (ContributionState.SENT, ContributionState.PARTLY_PAID) \
            and due_date < today else state
        result.by_state[shown] += 1
        if state in (ContributionState.CREDITED, ContributionState.WAIVED):
            continue
        total = net + vat
        result.invoices += 1
        result.billed_ore += total
        result.paid_ore += paid
        result.outstanding_ore += max(0, total - paid)
        if shown == ContributionState.OVERDUE:
            result.overdue += 1
            result.overdue_ore += max(0, total - paid)
        for key, table in ((tier, result.by_tier), (role, result.by_role)):
            table[key][0] += 1
            table[key][1] += total
            table[key][2] += paid
    return result


#: Invoices the company still has to pay.
OPEN = (ContributionState.SENT, ContributionState.PARTLY_PAID)


def company_invoices(company_id, only_open=False):
    """A company's contributions, newest first (for the staff's company page and the company's portal)."""
    statement = (select(Contribution).where(Contribution.company_id == company_id)
                 .order_by(Contribution.year.desc(), Contribution.invoice_number.desc()))
    if only_open:
        statement = statement.where(Contribution.state.in_(OPEN))
    return db.session.scalars(statement).all()


def deliveries(contributions):
    """{contribution id: DeliveryState} of the mails about these invoices, in one query; NOTHING for one without."""
    return defaultdict(lambda: NOTHING, delivery_states("contributions", [c.id for c in contributions]))


def years():
    """The years with contributions, newest first."""
    return db.session.scalars(select(Contribution.year).distinct().order_by(Contribution.year.desc())).all()


def invoices(year, state=None, page=1, per_page=100, today=None):
    """A page of the year's invoices, by number, with their companies; state may be "overdue"."""
    statement = select(Contribution).where(Contribution.year == year)
    today = today or date.today()
    if state == ContributionState.OVERDUE:
        statement = statement.where(Contribution.state.in_((ContributionState.SENT, ContributionState.PARTLY_PAID)),
                                    Contribution.due_date < today)
    elif state:
        statement = statement.where(Contribution.state == state)
    count = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    rows = db.session.scalars(statement.options(joinedload(Contribution.company))
                              .order_by(Contribution.invoice_number).limit(per_page)
                              .offset((page - 1) * per_page)).all()
    return Page(rows, count, page, per_page)


def _kr(ore):
    return f"{Decimal(ore) / 100:.2f}"


def finance_rows(year):
    """One row per invoice, per credit note and per payment of the year, as plain values."""
    contributions = db.session.scalars(
        select(Contribution).where(Contribution.year == year).options(joinedload(Contribution.company))
        .order_by(Contribution.invoice_number)).all()
    payments = defaultdict(list)
    for payment in db.session.scalars(select(Payment).join(Contribution).where(Contribution.year == year)
                                      .order_by(Payment.paid_on, Payment.id)):
        payments[payment.contribution_id].append(payment)
    for contribution in contributions:
        company = contribution.company
        common = (contribution.year, company.cvr, company.name)
        yield ("invoice", common[0], contribution.invoice_label, contribution.invoice_date.isoformat(),
               contribution.due_date.isoformat(), *common[1:], _kr(contribution.net_ore),
               _kr(contribution.vat_ore), _kr(contribution.total_ore), "", str(contribution.state))
        if contribution.credit_number:
            yield ("credit_note", common[0], contribution.credit_label, contribution.credited_on.isoformat(), "",
                   *common[1:], _kr(-contribution.net_ore), _kr(-contribution.vat_ore),
                   _kr(-contribution.total_ore), contribution.invoice_label, "")
        for payment in payments[contribution.id]:
            yield ("payment", common[0], contribution.invoice_label, payment.paid_on.isoformat(), "",
                   *common[1:], "", "", _kr(payment.amount_ore), payment.reference, "")


#: Columns written as numbers in XLSX (their CSV text is "1250.00").
NUMBER_COLUMNS = {"net_kr", "vat_kr", "total_kr", "months"}


CALCULATION_COLUMNS = ("cvr", "company", "role", "tier", "months", "net_kr", "vat_kr", "total_kr", "notes")


def calculation_rows(amounts: list[Amount], names, tier_label):
    for amount in amounts:
        name, cvr = names.get(amount.company_id, ("", ""))
        yield (cvr, name, amount.role, tier_label(amount.tier), amount.months, _kr(amount.net_ore),
               _kr(amount.vat_ore), _kr(amount.total_ore), ", ".join(amount.notes))
