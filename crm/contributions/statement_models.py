"""Bank statements loaded to register the contribution payments: the upload awaiting confirmation, each incoming
transaction with its stable identity and where it stands, and the remembered column mappings of CSV exports."""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.db import UTCDateTime, enum_type, utcnow
from crm.extensions import db


class StatementStatus(enum.StrEnum):
    PREVIEW = "preview"
    DONE = "done"


class TransactionState(enum.StrEnum):
    #: Registered as payments on one or more invoices
    MATCHED = "matched"
    #: A likely invoice (by amount and payer) waits for staff to confirm it or pick another
    SUGGESTED = "suggested"
    UNMATCHED = "unmatched"
    #: Money going out, or staff set it aside: nothing to register
    IGNORED = "ignored"


class BankStatement(db.Model):
    """An uploaded statement file: read at the upload for the preview, applied at the confirmation."""

    __tablename__ = "bank_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(255))
    #: "camt053" or "csv"
    kind: Mapped[str] = mapped_column(String(10))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    #: For a CSV file: the columns chosen for date, amount, text, payer and reference
    mapping: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[StatementStatus] = mapped_column(enum_type(StatementStatus, "statement_status"),
                                                    default=StatementStatus.PREVIEW)
    #: The counts and amounts once applied
    result: Mapped[dict | None] = mapped_column(JSON)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class BankTransaction(db.Model):
    """One incoming (or outgoing) amount of a statement; payments registered from it point back to it."""

    __tablename__ = "bank_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("bank_statements.id", ondelete="CASCADE"), index=True)
    #: The bank's own reference where the file has one, else a digest of the row: the same row loaded again
    #: from the same or a later statement has the same identity and is not added twice.
    identity: Mapped[str] = mapped_column(String(100), unique=True)
    booked_on: Mapped[date]
    #: Øre; negative for money going out
    amount_ore: Mapped[int] = mapped_column(BigInteger)
    payer: Mapped[str] = mapped_column(String(200), default="")
    text: Mapped[str] = mapped_column(String(500), default="")
    reference: Mapped[str] = mapped_column(String(200), default="")
    state: Mapped[TransactionState] = mapped_column(enum_type(TransactionState, "transaction_state"), index=True)
    #: The invoice suggested by amount and payer, while the state is suggested
    suggested_id: Mapped[int | None] = mapped_column(ForeignKey("contributions.id", ondelete="SET NULL"))
    #: How it was matched, or why it was not (shown in the list staff work through)
    reason: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    statement = relationship(BankStatement)
    suggested = relationship("Contribution")
    payments = relationship("Payment", back_populates="transaction")


class BankCsvMapping(db.Model):
    """The columns chosen once for a bank's CSV layout, found again by the file's header line."""

    __tablename__ = "bank_csv_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A digest of the normalised header cells
    header_key: Mapped[str] = mapped_column(String(64), unique=True)
    columns: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
