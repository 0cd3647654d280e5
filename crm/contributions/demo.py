"""Demo contributions: the year's adopted model and a scenario to compare it with; last year and this year billed
under the adopted model early in the year, nearly all of last year's invoices paid and most of this year's.

Billing goes through the billing service, so the invoice numbers come from the year's sequence as in a real run.
The run queues a mail per invoice; the demo takes those mails out of the outbox again (with their attachments) and
dates the invoices and their timeline entries to the billing day: the invoices went out months ago, and a new
user's outbox should show what this installation really sends, not 300 demo invoices waiting to go to made-up
addresses.
"""

from datetime import UTC, date, datetime, time, timedelta
from random import Random

from sqlalchemy import delete, func, select, update

from crm.companies.models import Activity
from crm.contributions import billing, calculation, payments, schemes
from crm.contributions.models import Contribution, ContributionScheme, ContributionState, TenantSplit, TierBasis
from crm.extensions import db
from crm.mail.models import OutboundAttachment, OutboundEmail

#: Share of the invoices paid in full, and paid in part; the rest are outstanding (and overdue).
PAID_SHARE = 0.9
LAST_YEAR_PAID_SHARE = 0.97
PART_PAID_SHARE = 0.02

EMPLOYEE_TIERS = (calculation.Tier(0, 10, 100_000), calculation.Tier(10, 50, 300_000),
                  calculation.Tier(50, 250, 800_000), calculation.Tier(250, None, 1_500_000))
AREA_TIERS = (calculation.Tier(0, 5_000, 150_000), calculation.Tier(5_000, 20_000, 500_000),
              calculation.Tier(20_000, None, 1_200_000))


def _values(year, name, basis, **values):
    return {"year": year, "name": name, "base_ore": 200_000, "tier_basis": basis, "split_plots": False,
            "owner_share_pct": 100, "tenant_split": TenantSplit.AREA, "minimum_ore": None, "maximum_ore": None,
            "vat": True, "prorate": True, "due_days": 30, "reminder_1_days": 14, "reminder_2_days": 28, **values}


def load_demo_schemes(year=None, *, scenario=True):
    """The year's adopted scheme (tiers by employees) and, with `scenario`, a scenario splitting plot tiers 50/50;
    the number made."""
    year = year or date.today().year
    if db_has_schemes(year):
        return 0
    adopted = schemes.save_scheme(ContributionScheme(),
                                  _values(year, "Model efter antal ansatte", TierBasis.EMPLOYEES), EMPLOYEE_TIERS)
    schemes.adopt(adopted)
    if not scenario:
        return 1
    schemes.save_scheme(ContributionScheme(), _values(year, "Scenarie: grundejer og lejere deler", TierBasis.AREA,
                                                      split_plots=True, owner_share_pct=50,
                                                      maximum_ore=2_500_000), AREA_TIERS)
    return 2


def db_has_schemes(year):
    return db.session.scalar(select(ContributionScheme.id).where(ContributionScheme.year == year).limit(1)) is not None


def load_demo_billing(seed=2024, today=None):
    """Last year billed and nearly all paid, and this year billed on 1 February (or today, earlier in the year) and
    mostly paid, each under the year's adopted scheme (load_demo_schemes makes them); the billing runs' mails taken
    out of the outbox. Nothing for a year already billed or without a scheme. The number of invoices made."""
    today = today or date.today()
    rng = Random(seed)
    made = _bill(rng, today.year - 1, date(today.year - 1, 2, 1), today, paid_share=LAST_YEAR_PAID_SHARE)
    return made + _bill(rng, today.year, min(date(today.year, 2, 1), today), today, paid_share=PAID_SHARE)


def _bill(rng, year, billed_on, today, *, paid_share):
    """Bill the year under its adopted scheme on `billed_on` and register payments for about `paid_share` of the
    invoices (and a few part payments); the number of invoices made."""
    billed = select(Contribution.id).where(Contribution.year == year).limit(1)
    if schemes.active_scheme(year) is None or db.session.scalar(billed) is not None:
        return 0
    last_mail = db.session.scalar(select(func.max(OutboundEmail.id))) or 0
    result = billing.bill(year, today=billed_on)
    _unqueue(year, last_mail, datetime.combine(billed_on, time(9), tzinfo=UTC))
    invoices = db.session.scalars(select(Contribution).where(Contribution.year == year,
                                                             Contribution.state == ContributionState.SENT)
                                  .order_by(Contribution.invoice_number)).all()
    for contribution in invoices:
        draw = rng.random()
        if draw >= paid_share + PART_PAID_SHARE:
            continue
        amount = contribution.total_ore if draw < paid_share else contribution.total_ore // 2
        paid_on = min(today, contribution.invoice_date + timedelta(days=rng.randint(5, 45)))
        payments.register_payment(contribution, amount, paid_on, reference=f"Bank {contribution.invoice_label}")
    db.session.flush()
    return len(result.billed)


def _unqueue(year, after_id, sent_at):
    """Delete the mails the demo's billing run queued (ids above `after_id`) and date the invoices and their
    timeline entries to the billing day."""
    mails = select(OutboundEmail.id).where(OutboundEmail.id > after_id)
    db.session.execute(delete(OutboundAttachment).where(OutboundAttachment.email_id.in_(mails)),
                       execution_options={"synchronize_session": False})
    db.session.execute(delete(OutboundEmail).where(OutboundEmail.id > after_id),
                       execution_options={"synchronize_session": False})
    invoices = select(Contribution.id).where(Contribution.year == year)
    db.session.execute(update(Contribution).where(Contribution.id.in_(invoices), Contribution.sent_at.is_not(None))
                       .values(sent_at=sent_at), execution_options={"synchronize_session": False})
    db.session.execute(update(Activity).where(Activity.object_type == Contribution.__tablename__,
                                              Activity.object_id.in_(invoices))
                       .values(occurred_at=sent_at, created_at=sent_at),
                       execution_options={"synchronize_session": False})
    db.session.expire_all()
