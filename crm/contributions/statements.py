"""Bank statements as staff load them: upload (read once, for the preview), confirm (transactions saved, exact
matches registered as payments), then work through the suggestions and the unmatched, or undo a wrong match."""

from sqlalchemy import select, update

from crm.audit.services import record
from crm.contributions import payments, statement_files
from crm.contributions.statement_matching import REASONS, match_all, summary
from crm.contributions.statement_models import (
    BankCsvMapping,
    BankStatement,
    BankTransaction,
    StatementStatus,
    TransactionState,
)
from crm.db import utcnow
from crm.extensions import db
from crm.i18n import day


class MappingNeeded(Exception):
    """A CSV layout met for the first time whose columns could not be told from the header: staff choose them.
    `statement` is kept (flushed) without a mapping until they have."""

    def __init__(self, statement, headers, guessed):
        super().__init__("mapping")
        self.statement, self.headers, self.guessed = statement, headers, guessed


def remembered_mapping(headers):
    """The mapping chosen before for this header line, else the one the header names tell; None if incomplete."""
    kept = db.session.scalar(select(BankCsvMapping).where(BankCsvMapping.header_key ==
                                                          statement_files.header_key(headers)))
    if kept is not None:
        return kept.columns
    guessed = statement_files.guess_mapping(headers)
    return guessed if all(name in guessed for name in statement_files.REQUIRED_FIELDS) else None


def transactions_of(statement):
    """The statement file's transactions (StatementError when it cannot be read)."""
    if statement.kind == "camt053":
        return statement_files.parse_camt053(statement.data)
    return statement_files.parse_csv(statement.data, {key: int(value) for key, value in statement.mapping.items()})


def upload(data, filename, *, mapping=None, by=None):
    """A statement awaiting confirmation; StatementError if unreadable, MappingNeeded for an unknown CSV layout."""
    kind = statement_files.kind_of(data)
    statement = BankStatement(filename=(filename or "kontoudskrift")[:255], kind=kind, data=data,
                              uploaded_by_id=getattr(by, "id", None))
    if kind == "csv":
        headers, _rows = statement_files.csv_rows(data)
        statement.mapping = mapping or remembered_mapping(headers)
        if statement.mapping is None:
            db.session.add(statement)
            db.session.flush()
            raise MappingNeeded(statement, headers, statement_files.guess_mapping(headers))
    transactions_of(statement)  # refused now, not at the confirmation
    db.session.add(statement)
    db.session.flush()
    return statement


def choose_mapping(statement, mapping):
    """Read a CSV statement with the columns staff chose (StatementError when the file does not read with them)."""
    statement.mapping = mapping
    transactions_of(statement)
    db.session.flush()


def headers_of(statement):
    return statement_files.csv_rows(statement.data)[0]


def preview(statement):
    """(outcomes, summary) of the statement as it would load now; nothing is saved."""
    outcomes = match_all(transactions_of(statement))
    return outcomes, summary(outcomes)


def confirm(statement, *, by=None):
    """Save the statement's new transactions and register the exact matches; the summary, or None when another
    click confirmed it first."""
    claimed = db.session.execute(update(BankStatement).where(BankStatement.id == statement.id,
                                                             BankStatement.status == StatementStatus.PREVIEW)
                                 .values(status=StatementStatus.DONE)).rowcount
    if not claimed:
        return None
    db.session.refresh(statement)
    outcomes = match_all(transactions_of(statement))
    for outcome in outcomes:
        if outcome.known:
            continue
        row = outcome.transaction
        transaction = BankTransaction(statement_id=statement.id, identity=row.identity, booked_on=row.booked_on,
                                      amount_ore=row.amount_ore, payer=row.payer, text=row.text,
                                      reference=row.reference, state=outcome.state,
                                      suggested_id=getattr(outcome.suggested, "id", None),
                                      reason=str(REASONS[outcome.how]))
        db.session.add(transaction)
        db.session.flush()
        for contribution, amount in outcome.pays:
            payments.register_payment(contribution, amount, row.booked_on, _reference(transaction), by=by,
                                      transaction=transaction)
    if statement.kind == "csv":
        _remember(statement)
    statement.result = summary(outcomes)
    statement.confirmed_at = utcnow()
    statement.data = b""  # the transactions hold what the file said
    record("contributions.statement_loaded", actor=by, obj=statement,
           changes={"filename": statement.filename, **{key: value["count"] for key, value in
                                                       statement.result.items()}})
    db.session.flush()
    return statement.result


def _reference(transaction):
    return f"Bank {day(transaction.booked_on)}: {transaction.payer or transaction.text}"[:200]


def _remember(statement):
    headers, _rows = statement_files.csv_rows(statement.data)
    key = statement_files.header_key(headers)
    if db.session.scalar(select(BankCsvMapping.id).where(BankCsvMapping.header_key == key)) is None:
        db.session.add(BankCsvMapping(header_key=key, columns=statement.mapping))


def assign(transaction, contribution, *, by=None):
    """Register a suggested or unmatched transaction as a payment on the invoice staff chose."""
    if transaction.state not in (TransactionState.SUGGESTED, TransactionState.UNMATCHED) or \
            transaction.amount_ore <= 0:
        raise payments.PaymentRefused("amount")
    payments.register_payment(contribution, transaction.amount_ore, transaction.booked_on, _reference(transaction),
                              by=by, transaction=transaction)
    transaction.state, transaction.suggested_id = TransactionState.MATCHED, None
    transaction.reason = str(REASONS["staff"])
    db.session.flush()


def undo(transaction, *, by=None):
    """Remove the payments a transaction made and put it back among the unmatched."""
    for payment in list(transaction.payments):
        payments.remove_payment(payment, by=by)
    transaction.state, transaction.suggested_id = TransactionState.UNMATCHED, None
    transaction.reason = str(REASONS["undone"])
    record("contributions.statement_match_undone", actor=by, obj=transaction,
           changes={"amount_ore": transaction.amount_ore})
    db.session.flush()
