"""First and second reminders for overdue invoices, after the scheme's days, each step at most once."""

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from crm.audit.services import record
from crm.companies.models import Company
from crm.contributions.models import Contribution, ContributionScheme, ContributionState, ReminderHold
from crm.contributions.notifications import InvoiceMails
from crm.db import utcnow
from crm.extensions import db

STEPS = (("reminder_1", Contribution.reminder_1_at, ContributionScheme.reminder_1_days),
         ("reminder_2", Contribution.reminder_2_at, ContributionScheme.reminder_2_days))


class Reminded(dict):
    """{step: count} of the reminders queued; .skipped names the recipients the outbox refused."""

    def __init__(self):
        super().__init__()
        self.skipped = []


def _due(step, sent_column, days_column, today, first):
    """The ids of the unpaid invoices whose reminder step is due today and not yet sent (held companies are left
    out); `first`: the invoices getting their first reminder in the same run, which never get the second too."""
    due = (select(Contribution.id).join(ContributionScheme, Contribution.scheme_id == ContributionScheme.id)
           .where(Contribution.state.in_((ContributionState.SENT, ContributionState.PARTLY_PAID)),
                  sent_column.is_(None),
                  Contribution.company_id.not_in(select(ReminderHold.company_id))))
    if step == "reminder_2":  # never both in one run, and not on the day of the first
        due = due.where(Contribution.reminder_1_at < datetime.combine(today, time.min, tzinfo=UTC),
                        Contribution.id.not_in(first or [0]))
    return [contribution_id for contribution_id, due_date, days in db.session.execute(
        due.add_columns(Contribution.due_date, days_column)) if due_date + timedelta(days=days) < today]


def due_reminders(today=None):
    """[(step, contribution)] a reminder run would mail now, by company name; nothing is claimed."""
    today = today or date.today()
    found, first = [], []
    for step, sent_column, days_column in STEPS:
        ids = _due(step, sent_column, days_column, today, first)
        first = first if step == "reminder_2" else ids
        found.extend((step, contribution) for contribution in db.session.scalars(
            select(Contribution).join(Company).where(Contribution.id.in_(ids))
            .options(selectinload(Contribution.company).selectinload(Company.contacts)).order_by(Company.name)))
    return found


def send_reminders(today=None, *, by=None):
    """Remind every unpaid invoice whose step is due and not yet sent; {step: count}. Held companies are
    skipped, and a company with no contact, or whose contact cannot be written in a mail, gets no reminder (its
    step stays due; the latter is named in .skipped)."""
    today = today or date.today()
    sent, first_claimed = Reminded(), []
    for step, sent_column, days_column in STEPS:
        candidates = _due(step, sent_column, days_column, today, first_claimed)
        sent[step], claimed, skipped = _claim_and_mail(step, sent_column, candidates)
        sent.skipped.extend(skipped)
        first_claimed = first_claimed if step == "reminder_2" else claimed
    if any(sent.values()):
        record("contributions.reminded", actor=by, changes=sent)
    return sent


def _claim_and_mail(step, sent_column, candidates):
    """Mark the step sent in one UPDATE (of two runs at once only the first gets each), then mail; (mailed,
    the ids claimed, the recipients skipped)."""
    if not candidates:
        return 0, [], []
    claimed = db.session.scalars(
        update(Contribution).where(Contribution.id.in_(candidates), sent_column.is_(None))
        .values({sent_column.key: utcnow()}).returning(Contribution.id),
        execution_options={"synchronize_session": False}).all()
    contributions = db.session.scalars(
        select(Contribution).where(Contribution.id.in_(claimed))
        .options(selectinload(Contribution.company).selectinload(Company.contacts))
        .execution_options(populate_existing=True)).all()
    mails = InvoiceMails()
    mailed = 0
    for contribution in contributions:
        if mails.queue(contribution, step):
            mailed += 1
        else:
            setattr(contribution, sent_column.key, None)  # nobody to remind: the step stays due
    mails.write()
    db.session.flush()
    return mailed, claimed, mails.skipped


def hold_reminders(company, reason, *, by=None):
    if db.session.get(ReminderHold, company.id) is None:
        db.session.add(ReminderHold(company_id=company.id, reason=reason))
        record("contributions.reminders_held", actor=by, obj=company, changes={"reason": reason})
        db.session.flush()


def release_reminders(company, *, by=None):
    hold = db.session.get(ReminderHold, company.id)
    if hold is not None:
        db.session.delete(hold)
        record("contributions.reminders_released", actor=by, obj=company)
        db.session.flush()


def reminder_hold(company_id):
    return db.session.get(ReminderHold, company_id)
