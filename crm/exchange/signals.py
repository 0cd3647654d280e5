"""The swap centre's part of what happens to a company or a person elsewhere: a merge, an erasure, the data ZIP,
and the waste group's page. The green-transition cases' receivers are in crm.exchange.case_signals."""

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from crm.companies.models import Company, Contact
from crm.exchange import case_signals  # noqa: F401  (the green-transition cases)
from crm.exchange.forms import KIND_LABELS, STATE_LABELS, UNIT_LABELS
from crm.exchange.models import Conversation, ExchangeCategory, ExchangeMailChoice, Listing, Message
from crm.exchange.savings import year_figures
from crm.extensions import db
from crm.merging import ANONYMISED_NAME, repoint, scrub_words, text_contains_any
from crm.signals import (
    ExportPart,
    Panel,
    company_export_parts,
    company_merged,
    contact_erased,
    contacts_merged,
    declare,
    group_page_panels,
    handles,
)

#: The working group whose page shows the swap centre's figures (the shared waste scheme and swap centre).
WASTE_GROUP_SLUG = "affald"


@group_page_panels.connect
def _waste_group_panel(group):
    """The swap centre's year on the waste group's page."""
    if group.slug != WASTE_GROUP_SLUG:
        return None
    return Panel("exchange/_group_panel.html", {"figures": year_figures(date.today().year)}, order=60)


@handles(company_merged, "exchange_listings.company_id", "exchange_listings.exchanged_with_id",
         "exchange_conversations.company_id", "exchange_messages.company_id")
def _move_listings_and_conversations(survivor, duplicate):
    """Listings, exchanges and conversations move to the survivor; where both talked about one listing, the
    duplicate's messages join the survivor's conversation. A conversation between the two (one's listing, the
    other interested) is then the survivor's with itself: it is kept with its messages, closed for writing
    (Conversation.is_with_itself), and no longer offered as the counterpart of the listing's exchange."""
    ours = {row.listing_id: row for row in db.session.scalars(
        select(Conversation).where(Conversation.company_id == survivor.id))}
    for theirs in db.session.scalars(select(Conversation).where(Conversation.company_id == duplicate.id)).all():
        kept = ours.get(theirs.listing_id)
        if kept is not None:
            repoint(Message.conversation_id, theirs.id, kept.id)
            kept.last_message_at = max(filter(None, (kept.last_message_at, theirs.last_message_at)), default=None)
            db.session.delete(theirs)
    db.session.flush()
    return {"exchange_listings": repoint(Listing.company_id, duplicate.id, survivor.id)
            + repoint(Listing.exchanged_with_id, duplicate.id, survivor.id),
            "exchange_conversations": repoint(Conversation.company_id, duplicate.id, survivor.id),
            "exchange_messages": repoint(Message.company_id, duplicate.id, survivor.id)}


@handles(contacts_merged, "exchange_messages.author_contact_id", "exchange_mail_choices.contact_id")
def _move_authorship_and_choices(survivor, duplicate):
    """Messages name the surviving person; of two mail choices, the survivor keeps the wider."""
    repoint(Message.author_contact_id, duplicate.id, survivor.id)
    choices = {row.contact_id: row for row in db.session.scalars(select(ExchangeMailChoice).where(
        ExchangeMailChoice.contact_id.in_([survivor.id, duplicate.id])))}
    theirs, kept = choices.get(duplicate.id), choices.get(survivor.id)
    if theirs is not None and kept is not None:
        kept.messages, kept.digest = kept.messages or theirs.messages, kept.digest or theirs.digest
        db.session.delete(theirs)
    elif theirs is not None:
        theirs.contact_id = survivor.id
    db.session.flush()


@handles(contact_erased, "exchange_messages.author_contact_id", "exchange_mail_choices.contact_id")
def _scrub_authored_messages(contact, words, **_kwargs):
    """The person's messages keep their text and time, not the person's name (as author or in the text); the
    person gets no more of the swap centre's mails."""
    for choice in db.session.scalars(select(ExchangeMailChoice).where(ExchangeMailChoice.contact_id == contact.id)):
        choice.messages = choice.digest = False
    for message in db.session.scalars(select(Message).where(or_(
            Message.author_contact_id == contact.id,
            (Message.company_id == contact.company_id) & text_contains_any(Message.body, words)))):
        if message.author_contact_id == contact.id:
            message.author_name = ANONYMISED_NAME
        message.body = scrub_words(message.body, words)


for _column in ("exchange_listings.company_id", "exchange_listings.exchanged_with_id",
                "exchange_conversations.company_id", "exchange_messages.company_id"):
    declare(contact_erased, _column, "names a company, not a person; the messages' authors are scrubbed")

LISTING_COLUMNS = {"id": _l("Nummer"), "kind": _l("Tilbud eller behov"), "category": _l("Kategori"),
                   "title": _l("Overskrift"), "description": _l("Beskrivelse"), "quantity": _l("Mængde"),
                   "unit": _l("Enhed"), "price_ore": _l("Pris (øre)"), "waste_code": _l("Affaldskode"),
                   "state": _l("Tilstand"), "created_at": _l("Oprettet"), "exchanged_with": _l("Byttet med"),
                   "exchanged_quantity": _l("Byttet mængde"), "exchanged_on": _l("Byttet den"),
                   "saved_tonnes": _l("Ton holdt fra affald"), "saved_co2e_kg": _l("Kg CO2e undgået")}
MESSAGE_COLUMNS = {"conversation": _l("Samtale"), "listing": _l("Annonce"), "author": _l("Afsender"),
                   "created_at": _l("Sendt"), "body": _l("Besked")}
CHOICE_COLUMNS = {"person": _l("Person"), "messages": _l("Nye beskeder"), "digest": _l("Ugens match")}


@handles(company_export_parts, "exchange_listings.company_id", "exchange_listings.exchanged_with_id",
         "exchange_conversations.company_id", "exchange_messages.company_id", "exchange_messages.author_contact_id",
         "exchange_mail_choices.contact_id")
def _exchange_parts(company):
    """The company's listings (and exchanges it took part in), the messages it wrote, its contacts' mail choices."""
    listings = db.session.execute(
        select(Listing, ExchangeCategory.name, Company.name).join(ExchangeCategory)
        .outerjoin(Company, Company.id == Listing.exchanged_with_id)
        .where(or_(Listing.company_id == company.id, Listing.exchanged_with_id == company.id))
        .order_by(Listing.id)).all()
    listing_rows = [{"id": row.id, "kind": row.kind, "category": category, "title": row.title,
                     "description": row.description, "quantity": row.quantity, "unit": row.unit,
                     "price_ore": row.price_ore, "waste_code": row.waste_code, "state": row.state,
                     "created_at": row.created_at, "exchanged_with": partner, "exchanged_quantity":
                     row.exchanged_quantity, "exchanged_on": row.exchanged_on, "saved_tonnes": row.saved_tonnes,
                     "saved_co2e_kg": row.saved_co2e_kg} for row, category, partner in listings]
    messages = db.session.execute(
        select(Message.conversation_id, Listing.title, Message.author_name, Message.created_at, Message.body)
        .join(Conversation, Conversation.id == Message.conversation_id).join(Listing)
        .where(Message.company_id == company.id).order_by(Message.id)).all()
    choices = db.session.execute(
        select(Contact.name, ExchangeMailChoice.messages, ExchangeMailChoice.digest).join(Contact)
        .where(Contact.company_id == company.id).order_by(Contact.name)).all()
    return [ExportPart("exchange_listings", LISTING_COLUMNS, listing_rows, order=70,
                       values={"kind": KIND_LABELS, "unit": UNIT_LABELS, "state": STATE_LABELS}),
            ExportPart("exchange_messages", MESSAGE_COLUMNS,
                       [dict(zip(MESSAGE_COLUMNS, row, strict=True)) for row in messages], order=71),
            ExportPart("exchange_mail_choices", CHOICE_COLUMNS,
                       [dict(zip(CHOICE_COLUMNS, row, strict=True)) for row in choices], order=72)]
