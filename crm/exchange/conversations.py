"""Conversations between two companies about a listing: opening one, writing, reporting a message to staff."""

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from crm.audit.services import record
from crm.db import utcnow
from crm.exchange import notifications
from crm.exchange.models import Conversation, Listing, ListingState, Message
from crm.extensions import db


class NotPossible(ValueError):
    """The conversation cannot be opened or written in; str() is the reason's key ("own", "not_open", "merged")."""


def open_conversation(listing, company):
    """The company's conversation about another company's open listing, begun now if there is none yet."""
    if listing.company_id == company.id:
        raise NotPossible("own")
    conversation = db.session.scalars(select(Conversation).where(
        Conversation.listing_id == listing.id, Conversation.company_id == company.id)).first()
    if conversation is not None:
        return conversation
    if listing.state != ListingState.OPEN:
        raise NotPossible("not_open")
    conversation = Conversation(listing_id=listing.id, company_id=company.id)
    db.session.add(conversation)
    db.session.flush()
    return conversation


def of_company(company_id):
    """The conversations the company takes part in (about its listings or others'), latest first."""
    return db.session.scalars(
        select(Conversation).join(Listing)
        .where(or_(Conversation.company_id == company_id, Listing.company_id == company_id))
        .options(joinedload(Conversation.listing).joinedload(Listing.company), joinedload(Conversation.company))
        .order_by(func.coalesce(Conversation.last_message_at, Conversation.created_at).desc())).all()


def for_company(conversation_id, company_id):
    """The conversation if the company is one of its two sides, else None."""
    return db.session.scalars(
        select(Conversation).join(Listing).where(
            Conversation.id == conversation_id,
            or_(Conversation.company_id == company_id, Listing.company_id == company_id))).first()


def post_message(conversation, user, body):
    """A message from the user's company; the other side's contacts who chose it get a notice by mail."""
    if conversation.listing.state == ListingState.HIDDEN:
        raise NotPossible("not_open")
    if conversation.is_with_itself:
        raise NotPossible("merged")
    message = Message(conversation_id=conversation.id, company_id=user.company_id, author_id=user.id,
                      author_contact_id=user.contact_id, author_name=user.name or "", body=body)
    db.session.add(message)
    conversation.last_message_at = utcnow()
    db.session.flush()
    other = ({conversation.listing.company_id, conversation.company_id} - {user.company_id}).pop()
    notifications.notify_new_message(conversation, message, other)
    return message


def report_message(message, by):
    """A company reports a message to staff, who may then read its text."""
    if message.reported_at is None:
        message.reported_at, message.reported_by_id = utcnow(), by.id
        record("exchange.message_reported", actor=by, obj=message)
        db.session.flush()


def all_conversations(limit=200, listing_id=None):
    """Every conversation's metadata for staff: the listing, the two companies, messages, reported ones."""
    counts = (select(Message.conversation_id, func.count(Message.id).label("messages"),
                     func.count(Message.reported_at).label("reported"))
              .group_by(Message.conversation_id).subquery())
    return db.session.execute(
        select(Conversation, func.coalesce(counts.c.messages, 0), func.coalesce(counts.c.reported, 0))
        .outerjoin(counts, counts.c.conversation_id == Conversation.id)
        .where(*([Conversation.listing_id == listing_id] if listing_id else []))
        .options(joinedload(Conversation.listing).joinedload(Listing.company), joinedload(Conversation.company))
        .order_by(func.coalesce(Conversation.last_message_at, Conversation.created_at).desc())
        .limit(limit)).all()


def all_conversations_of_listing(listing_id):
    """The metadata of a listing's conversations for staff (as all_conversations)."""
    return all_conversations(limit=None, listing_id=listing_id)
