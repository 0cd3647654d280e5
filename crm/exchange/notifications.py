"""The swap centre's mails: a notice of a new message, and the weekly digest of matches. Only contacts who chose
them get them (ExchangeMailChoice), and no mail shows the other company's addresses."""

from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm.companies.models import Contact
from crm.db import utcnow
from crm.exchange.models import ExchangeMailChoice
from crm.extensions import db
from crm.mail.services import queue_email, recipient_refusal, render_mail


def _choosing(company_id, column):
    return db.session.scalars(
        select(Contact).join(ExchangeMailChoice, ExchangeMailChoice.contact_id == Contact.id)
        .where(Contact.company_id == company_id, column, Contact.email.is_not(None), Contact.email != "")
        .order_by(Contact.id)).all()


def notify_new_message(conversation, message, company_id):
    """Tell the contacts of the receiving company who chose it that a message waits in the portal."""
    link = f"{current_app.config['BASE_URL']}/portal/exchange/conversations/{conversation.id}"
    sender = message.company.name if message.company else ""
    for contact in _choosing(company_id, ExchangeMailChoice.messages):
        if recipient_refusal(contact.name, contact.email):
            continue
        text, html = render_mail("exchange_message", contact=contact, listing=conversation.listing, sender=sender,
                                 link=link)
        queue_email(to_address=contact.email, to_name=contact.name, subject=_("Ny besked i byttecentralen"),
                    body_text=text, body_html=html, company=contact.company, concerns=conversation)


def iso_week(day):
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def send_digest(today, matches_for_company):
    """Queue this week's digest: one mail per contact who chose it, listing the matches of the contact's company
    from the past week; a contact who had this week's digest gets none. Returns the number of mails."""
    week, since = iso_week(today), utcnow() - timedelta(days=7)
    choices = db.session.scalars(
        select(ExchangeMailChoice).where(ExchangeMailChoice.digest)
        .where((ExchangeMailChoice.digest_week != week) | ExchangeMailChoice.digest_week.is_(None))
        .options(joinedload(ExchangeMailChoice.contact).joinedload(Contact.company))
        .order_by(ExchangeMailChoice.id)).all()
    link = f"{current_app.config['BASE_URL']}/portal/exchange/"
    found, sent = {}, 0
    for choice in choices:
        choice.digest_week = week
        contact = choice.contact
        if not contact.email or recipient_refusal(contact.name, contact.email):
            continue
        if contact.company_id not in found:
            found[contact.company_id] = matches_for_company(contact.company_id, since=since)
        pairs = found[contact.company_id]
        if not pairs:
            continue
        text, html = render_mail("exchange_digest", contact=contact, pairs=pairs, link=link)
        queue_email(to_address=contact.email, to_name=contact.name,
                    subject=_("Byttecentralen: %(count)d mulige match i denne uge", count=len(pairs)),
                    body_text=text, body_html=html, company=contact.company)
        sent += 1
    db.session.flush()
    return sent


def mail_choices(company):
    """{contact id: ExchangeMailChoice} of the company's contacts."""
    return {choice.contact_id: choice for choice in db.session.scalars(
        select(ExchangeMailChoice).join(Contact).where(Contact.company_id == company.id))}


def set_mail_choices(company, messages_ids, digest_ids):
    """The company's contacts' choices: who gets message notices and who gets the weekly digest."""
    choices = mail_choices(company)
    for contact in company.contacts:
        choice, messages, digest = choices.get(contact.id), contact.id in messages_ids, contact.id in digest_ids
        if choice is None and (messages or digest):
            choice = ExchangeMailChoice(contact_id=contact.id)
            db.session.add(choice)
        if choice is not None:
            choice.messages, choice.digest = messages, digest
    db.session.flush()
