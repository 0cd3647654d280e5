"""Matching a statement's incoming transactions to invoices, and registering the payments once staff confirm.

In order: the FI payment id (the invoice's year and number, check digit right) names one invoice exactly; else the
invoice numbers written in the text ("2031-7", one or several: the amount is shared out over them in the order
written, each getting what it lacks and the last the rest); else an open invoice is suggested by amount and the
payer's name, for staff to confirm or replace. Everything else stays unmatched with a reason.

The matching reads every invoice once and keeps what an earlier transaction of the same file has paid, so a
statement of thousands of lines is matched in one pass (bench/).
"""

import re
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm.contributions import fi
from crm.contributions.models import Contribution, ContributionState
from crm.contributions.statement_models import BankTransaction, TransactionState
from crm.extensions import db

CLOSED = (ContributionState.CREDITED, ContributionState.WAIVED)
_INVOICE_NUMBER = re.compile(r"(?<![\d-])(\d{4})\s?-\s?(\d{1,10})(?![\d-])")
_LEGAL_FORMS = {"a/s", "aps", "i/s", "k/s", "p/s", "ivs", "as", "amba", "a.m.b.a.", "og", "&"}

REASONS = {
    "payment_id": _l("FI-betalings-id"),
    "invoice_number": _l("Fakturanummer i teksten"),
    "amount_and_name": _l("Samme beløb og betalerens navn"),
    "name": _l("Betalerens navn; beløbet afviger"),
    "amount": _l("Samme beløb; betaleren genkendes ikke"),
    "staff": _l("Valgt af medarbejder"),
    "undone": _l("Match fortrudt: vælg den rigtige faktura"),
    "outgoing": _l("Udbetaling: intet at registrere"),
    "closed": _l("Fakturaen er krediteret eller fritaget"),
    "unknown_invoice": _l("Fakturanummeret findes ikke"),
    "known": _l("Indlæst før: tilføjer intet"),
    "nothing": _l("Intet betalings-id eller fakturanummer, og ingen åben faktura med samme beløb eller betaler"),
}


@dataclass
class Outcome:
    """What loading one transaction does: its state, the invoices and amounts it pays, and why."""

    transaction: object
    state: TransactionState
    how: str
    #: [(contribution, øre)] registered when the statement is confirmed
    pays: list = field(default_factory=list)
    suggested: object = None
    #: Loaded before: it adds nothing
    known: bool = False


def name_words(name):
    """The words of a company or payer name that tell it apart (legal forms and case left out)."""
    return {word for word in re.split(r"[\s,.()]+", (name or "").lower()) if word and word not in _LEGAL_FORMS}


def names_match(payer_words, company_words):
    """Whether a payer's name words name the company: two words in common (one when either has only one)."""
    if not payer_words or not company_words:
        return False
    common = payer_words & company_words
    return len(common) >= min(2, len(payer_words), len(company_words))


class Matcher:
    """The invoices as the matching sees them, read once."""

    def __init__(self):
        contributions = db.session.scalars(select(Contribution).options(joinedload(Contribution.company))).all()
        self.by_label = {(c.year, c.invoice_number): c for c in contributions}
        #: What each invoice still lacks, lowered as transactions of this file pay it
        self.outstanding = {c.id: c.outstanding_ore for c in contributions}
        self.open = [c for c in contributions if c.state not in CLOSED and c.state != ContributionState.PAID]
        self.words = {c.id: name_words(c.company.name) for c in self.open}

    def match(self, transaction):
        if transaction.amount_ore <= 0:
            return Outcome(transaction, TransactionState.IGNORED, "outgoing")
        text = f"{transaction.reference} {transaction.text}"
        label = fi.find_invoice(text)
        if label:
            return self._pay(transaction, [label], "payment_id")
        labels = [(int(year), int(number)) for year, number in _INVOICE_NUMBER.findall(text)]
        labels = list(dict.fromkeys(label for label in labels if label in self.by_label))
        if labels:
            return self._pay(transaction, labels, "invoice_number")
        return self._suggest(transaction)

    def _pay(self, transaction, labels, how):
        invoices = [self.by_label[label] for label in labels if label in self.by_label]
        if not invoices:
            return Outcome(transaction, TransactionState.UNMATCHED, "unknown_invoice")
        if any(invoice.state in CLOSED for invoice in invoices):
            return Outcome(transaction, TransactionState.UNMATCHED, "closed")
        left, pays = transaction.amount_ore, []
        for position, invoice in enumerate(invoices):
            share = left if position == len(invoices) - 1 else min(left, max(0, self.outstanding[invoice.id]))
            if share > 0:
                pays.append((invoice, share))
                self.outstanding[invoice.id] -= share
                left -= share
        return Outcome(transaction, TransactionState.MATCHED, how, pays=pays)

    def _suggest(self, transaction):
        still_open = [c for c in self.open if self.outstanding[c.id] > 0]
        payer = name_words(transaction.payer or transaction.text)
        by_name = [c for c in still_open if names_match(payer, self.words[c.id])]
        same_amount = [c for c in still_open if self.outstanding[c.id] == transaction.amount_ore]
        both = [c for c in by_name if c in same_amount]
        for candidates, how in ((both, "amount_and_name"), (by_name, "name"), (same_amount, "amount")):
            if len(candidates) == 1:
                return Outcome(transaction, TransactionState.SUGGESTED, how, suggested=candidates[0])
            if candidates and how == "amount_and_name":
                return Outcome(transaction, TransactionState.SUGGESTED, how,
                               suggested=min(candidates, key=lambda c: c.due_date))
        return Outcome(transaction, TransactionState.UNMATCHED, "nothing")


def match_all(transactions):
    """The outcome of each transaction; those loaded before are marked known and match nothing."""
    identities = [transaction.identity for transaction in transactions]
    known = set()
    for start in range(0, len(identities), 500):
        known.update(db.session.scalars(select(BankTransaction.identity)
                                        .where(BankTransaction.identity.in_(identities[start:start + 500]))))
    matcher = Matcher()
    outcomes = []
    for transaction in transactions:
        if transaction.identity in known:
            outcomes.append(Outcome(transaction, TransactionState.IGNORED, "known", known=True))
            continue
        known.add(transaction.identity)  # the same row twice in one file counts once
        outcomes.append(matcher.match(transaction))
    return outcomes


def summary(outcomes):
    """Counts and amounts per state, as the preview and the result show them."""
    counts = {state: {"count": 0, "ore": 0} for state in ("matched", "suggested", "unmatched", "ignored", "known")}
    for outcome in outcomes:
        key = "known" if outcome.known else str(outcome.state)
        counts[key]["count"] += 1
        counts[key]["ore"] += outcome.transaction.amount_ore
    return counts
