"""Payments, credit notes and waivers on an invoice; every change is audited.

A payment adds to `paid_ore` in one UPDATE that also sets the state, so two staff registering payments on the same
invoice at once both count: the database applies the second on top of the first.
"""

from datetime import date

from sqlalchemy import case, update

from crm.audit.services import record
from crm.contributions import billing
from crm.contributions.models import Contribution, ContributionState, Payment
from crm.contributions.notifications import mail_one
from crm.extensions import db

CLOSED = (ContributionState.CREDITED, ContributionState.WAIVED)


class PaymentRefused(ValueError):
    """The invoice is credited or waived, or the amount is not positive."""


def register_payment(contribution, amount_ore, paid_on, reference="", *, by=None, transaction=None):
    """Record a payment (partial and over-payments too); the over-paid amount, 0 if none. `transaction`: the bank
    statement's transaction it comes from."""
    if contribution.state in CLOSED:
        raise PaymentRefused("closed")
    if amount_ore <= 0:
        raise PaymentRefused("amount")
    db.session.add(Payment(contribution_id=contribution.id, amount_ore=amount_ore, paid_on=paid_on,
                           reference=reference, created_by_id=getattr(by, "id", None),
                           transaction_id=getattr(transaction, "id", None)))
    paid = Contribution.paid_ore + amount_ore
    row = db.session.execute(
        update(Contribution).where(Contribution.id == contribution.id)
        .values(paid_ore=paid, state=case((paid >= Contribution.net_ore + Contribution.vat_ore,
                                           ContributionState.PAID.value),
                                          else_=ContributionState.PARTLY_PAID.value))
        .returning(Contribution.paid_ore, Contribution.state),
        execution_options={"synchronize_session": False},
    ).one()
    old_state = contribution.state
    db.session.refresh(contribution)
    record("contributions.payment", actor=by, obj=contribution,
           changes={"amount_ore": amount_ore, "paid_on": paid_on.isoformat(), "reference": reference,
                    "paid_ore": row.paid_ore, "state": [str(old_state), str(contribution.state)],
                    **({"transaction": transaction.id, "statement": transaction.statement_id} if transaction else {})})
    return max(0, contribution.paid_ore - contribution.total_ore)


def remove_payment(payment, *, by=None):
    """Take a payment off its invoice again (a wrong match from a bank statement); the invoice's state follows."""
    contribution = payment.contribution
    paid = Contribution.paid_ore - payment.amount_ore
    old_state = contribution.state
    if contribution.state not in CLOSED:
        unpaid = ContributionState.SENT.value if contribution.sent_at else ContributionState.DRAFT.value
        state = case((paid >= Contribution.net_ore + Contribution.vat_ore, ContributionState.PAID.value),
                     (paid > 0, ContributionState.PARTLY_PAID.value), else_=unpaid)
    else:
        state = Contribution.state
    db.session.execute(update(Contribution).where(Contribution.id == contribution.id).values(paid_ore=paid,
                                                                                             state=state),
                       execution_options={"synchronize_session": False})
    db.session.delete(payment)
    db.session.flush()
    db.session.refresh(contribution)
    record("contributions.payment_removed", actor=by, obj=contribution,
           changes={"amount_ore": payment.amount_ore, "paid_on": payment.paid_on.isoformat(),
                    "transaction": payment.transaction_id, "paid_ore": contribution.paid_ore,
                    "state": [str(old_state), str(contribution.state)]})


def credit(contribution, reason, *, today=None, by=None):
    """Cancel the invoice with a credit note numbered from the year's sequence, and mail it."""
    if contribution.state in CLOSED:
        raise PaymentRefused("closed")
    billing.lock_year(contribution.year)
    old_state = contribution.state
    contribution.credit_number = billing.take_numbers(contribution.year, 1)[0]
    contribution.credited_on = today or date.today()
    contribution.state = ContributionState.CREDITED
    contribution.note = reason
    db.session.flush()
    mailed = old_state != ContributionState.DRAFT and mail_one(contribution, "credit_note")[0]
    record("contributions.credited", actor=by, obj=contribution,
           changes={"credit_number": contribution.credit_number, "reason": reason, "state": [str(old_state),
                                                                                             "credited"],
                    "mailed": mailed})
    db.session.flush()
    return contribution.credit_number


def waive(contribution, reason, *, by=None):
    """Let the company off an unpaid invoice; one with payments is credited instead."""
    if contribution.state in CLOSED or contribution.paid_ore:
        raise PaymentRefused("closed" if contribution.state in CLOSED else "paid")
    old_state = contribution.state
    contribution.state, contribution.note = ContributionState.WAIVED, reason
    record("contributions.waived", actor=by, obj=contribution,
           changes={"reason": reason, "state": [str(old_state), "waived"]})
    db.session.flush()
