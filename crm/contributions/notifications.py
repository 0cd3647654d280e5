"""The mails about contributions: invoice, credit note and reminders, each with its PDF made when sent.

A recipient the outbox refuses (a contact whose name or address holds a line break, from old data) is skipped and
named, never the end of a billing run: the invoice stays unmailed and the company's timeline says why.
"""

from typing import NamedTuple

from flask_babel import lazy_gettext as _l

from crm.companies.models import ActivityKind
from crm.companies.services import log_activity
from crm.mail.attachments import Generated
from crm.mail.services import OutboxBatch, render_mail

SUBJECTS = {
    "invoice": _l("Faktura %(number)s: bidrag til netværket %(year)s"),
    "credit_note": _l("Kreditnota %(number)s for faktura %(invoice)s"),
    "reminder_1": _l("Påmindelse: faktura %(number)s er forfalden"),
    "reminder_2": _l("Anden påmindelse: faktura %(number)s er forfalden"),
}


def invoice_lines(scheme, amount, adjustment=None):
    """How the amount came about, for the invoice: the rules' parts and what shaped it (no rounding here).
    `adjustment` is the company's waiver or discount under the scheme, if any."""
    parts = [{"part": "base", "ore": scheme.base_ore}] if scheme.base_ore else []
    if amount.tier is not None:
        tier = scheme.tiers[amount.tier]
        parts.append({"part": "tier", "basis": str(scheme.tier_basis), "lower": tier.lower, "upper": tier.upper,
                      "ore": tier.amount_ore, "split": scheme.split_plots})
    for note in amount.notes:
        line = {"part": note}
        if note == "prorated":
            line["months"] = amount.months
        if note in ("discount", "waived") and adjustment is not None:
            line.update(percent=adjustment.percent, reason=adjustment.reason)
        parts.append(line)
    return parts


NOT_SENT = _l("%(document)s blev ikke sendt: kontaktpersonen %(contact)s har et navn eller en e-mailadresse, der ikke "
              "kan stå i en e-mail (fx et linjeskift). Ret kontaktpersonen, og send igen.")
DOCUMENTS = {"invoice": _l("Faktura %(number)s"), "credit_note": _l("Kreditnota %(number)s"),
             "reminder_1": _l("Påmindelsen om faktura %(number)s"),
             "reminder_2": _l("Anden påmindelse om faktura %(number)s")}


class Skipped(NamedTuple):
    """A mail that was not queued because the outbox refused its recipient."""

    company: str
    contact: str

    def __str__(self):
        return f"{self.company} ({self.contact})"


def one_line(text):
    """A text as one line, for naming a value that holds line breaks."""
    return " ".join((text or "").split())


def recipient(company):
    """Who gets the company's invoices: the primary contact, else the first contact with an e-mail address."""
    with_email = [contact for contact in company.contacts if contact.email]
    return next((contact for contact in with_email if contact.is_primary), with_email[0] if with_email else None)


class InvoiceMails:
    """Invoice mails for a run, written to the outbox at once by write(); each PDF is attached as Generated, so it
    is rendered when the mail is sent."""

    def __init__(self):
        self.batch = OutboxBatch(skip_refused=True)
        #: Skipped recipients, in the order met
        self.skipped = []

    def write(self):
        self.batch.write()

    def queue(self, contribution, kind):
        """Queue one mail of the kind; False when the company has nobody to send it to, or the recipient is refused
        (then named in .skipped and on the company's timeline)."""
        contact = recipient(contribution.company)
        if contact is None:
            return False
        number = contribution.credit_label if kind == "credit_note" else contribution.invoice_label
        subject = str(SUBJECTS[kind]) % {"number": number, "year": contribution.year,
                                         "invoice": contribution.invoice_label}
        text, html = render_mail("contribution", contribution=contribution, contact=contact, kind=kind)
        generator = "credit_note_pdf" if kind == "credit_note" else "invoice_pdf"
        kept = self.batch.add(to_address=contact.email, to_name=contact.name, subject=subject, body_text=text,
                              body_html=html, company=contribution.company, concerns=contribution,
                              attachments=[(f"{'kreditnota' if kind == 'credit_note' else 'faktura'}-{number}.pdf",
                                            "application/pdf", Generated(generator, contribution.id))])
        if not kept:
            skipped = Skipped(one_line(contribution.company.name), one_line(contact.name) or one_line(contact.email))
            self.skipped.append(skipped)
            document = str(DOCUMENTS[kind]) % {"number": number}
            log_activity(contribution.company_id, ActivityKind.NOTE,
                         str(NOT_SENT) % {"document": document, "contact": f"«{skipped.contact}»"}, obj=contribution)
            return False
        log_activity(contribution.company_id, ActivityKind.EMAIL, subject, obj=contribution)
        return True


def mail_one(contribution, kind):
    """Queue one mail about a contribution now; (queued, the recipient skipped or None). Not queued and nobody
    skipped: the company has nobody to send it to."""
    mails = InvoiceMails()
    queued = mails.queue(contribution, kind)
    mails.write()
    return queued, (mails.skipped[0] if mails.skipped else None)
