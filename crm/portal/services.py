"""What a company sees in the portal: its meetings and answers, minutes it may read, its tasks, groups and news.

Every query is scoped by the company; nothing here reads the request.
"""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, and_, cast, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from crm.companies.models import ActivityKind
from crm.companies.services import add_contact, log_activity, update_company, update_contact
from crm.extensions import db
from crm.groups.models import GroupMembership
from crm.mail.models import Newsletter, OutboundEmail
from crm.meetings.models import ActionItem, ActionStatus, Invitation, Meeting, MeetingKind, MeetingStatus

#: The fields of "our company" a company keeps itself; CVR, name and status stay with staff.
COMPANY_FIELDS = ("street", "postal_code", "city", "employees", "website", "description", "directory_listed")
#: The version of the newsletter consent text shown in the portal; stored with each consent.
CONSENT_TEXT_VERSION = "2024-1"


def visible_meetings(company_id):
    """The condition on Meeting for the meetings a company may read: those it has been sent an invitation to, and
    network meetings whose minutes are published."""
    invited = select(Invitation.meeting_id).where(Invitation.company_id == company_id, Invitation.mailed)
    return Meeting.id.in_(invited) | (
        (Meeting.kind == MeetingKind.NETWORK) & Meeting.minutes_published_at.is_not(None))


def upcoming_invitations(company_id):
    """The company's invitations sent to meetings not yet begun, soonest first, with the meeting loaded."""
    return db.session.scalars(
        select(Invitation).join(Invitation.meeting)
        .where(Invitation.company_id == company_id, Invitation.mailed, Meeting.starts_at > datetime.now(UTC),
               Meeting.status != MeetingStatus.CANCELLED)
        .options(contains_eager(Invitation.meeting)).order_by(Meeting.starts_at)
    ).all()


def past_invitations(company_id, limit=50):
    """The company's invitations sent to meetings that have begun or were cancelled, newest first."""
    return db.session.scalars(
        select(Invitation).join(Invitation.meeting)
        .where(Invitation.company_id == company_id, Invitation.mailed,
               (Meeting.starts_at <= datetime.now(UTC)) | (Meeting.status == MeetingStatus.CANCELLED))
        .options(contains_eager(Invitation.meeting)).order_by(Meeting.starts_at.desc()).limit(limit)
    ).all()


def published_minutes(company_id, limit=None):
    """Meetings with published minutes the company may read, newest first."""
    statement = (select(Meeting).where(visible_meetings(company_id), Meeting.minutes_published_at.is_not(None))
                 .order_by(Meeting.starts_at.desc()))
    return db.session.scalars(statement.limit(limit) if limit else statement).all()


def open_action_items(company_id):
    """Open action items the company owns, with their meeting, soonest due first."""
    return db.session.scalars(
        select(ActionItem).join(ActionItem.meeting)
        .where(ActionItem.owner_company_id == company_id, ActionItem.status == ActionStatus.OPEN)
        .options(contains_eager(ActionItem.meeting))
        .order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)
    ).all()


def current_groups(company_id):
    """The company's current working group memberships with the group."""
    return db.session.scalars(
        select(GroupMembership).where(GroupMembership.company_id == company_id, GroupMembership.left_on.is_(None))
        .options(joinedload(GroupMembership.group)).order_by(GroupMembership.joined_on)
    ).all()


#: The newsletter filters that choose some companies (the rest only sort): a newsletter without them went to all.
CHOOSING_FILTERS = ("q", "role", "status", "tag", "group")


def latest_news(company_id, limit=3):
    """The network's latest newsletters this company may read: those sent to every company, and those sent to it.
    A newsletter sent to a chosen set of companies is shown to those companies only."""
    sent_to_us = select(OutboundEmail.object_id).where(OutboundEmail.company_id == company_id,
                                                       OutboundEmail.object_type == Newsletter.__tablename__)
    stored = cast(Newsletter.filters, Text)  # the JSON as stored: a choosing filter appears as "key":
    to_all = and_(*(~stored.contains(f'"{key}":') for key in CHOOSING_FILTERS))
    return db.session.scalars(select(Newsletter).where(or_(Newsletter.filters.is_(None), to_all,
                                                           Newsletter.id.in_(sent_to_us)))
                              .order_by(Newsletter.sent_at.desc()).limit(limit)).all()


def invitation_of(company_id, meeting_id):
    """The company's invitation to a meeting once sent, or None."""
    return db.session.scalars(select(Invitation).where(Invitation.company_id == company_id, Invitation.mailed,
                                                       Invitation.meeting_id == meeting_id)).first()


def update_our_company(company, values, *, by):
    """Change the details a company keeps itself; noted on its timeline and audited."""
    return update_company(company, {key: values[key] for key in COMPANY_FIELDS if key in values},
                          by=by)


def _with_consent(values, contact=None):
    values = dict(values)
    if values.get("newsletter_consent") and not (contact and contact.newsletter_consent):
        values["consent_text_version"] = CONSENT_TEXT_VERSION
        values["consent_channel"] = "portal"
    return values


def add_our_contact(company, values, *, by):
    """A contact person added by the company itself (source "portal")."""
    return add_contact(company, {**_with_consent(values), "source": "portal"}, by=by)


def update_our_contact(contact, values, *, by):
    """A contact person changed by the company itself; consent keeps its time, text version and channel."""
    changes = update_contact(contact, _with_consent(values, contact), by=by)
    if changes:
        log_activity(contact.company_id, ActivityKind.CHANGE,
                     _l("Kontaktperson ændret i portalen: %(name)s (%(fields)s)", name=contact.name,
                       fields=", ".join(sorted(changes))), author=by)
        db.session.flush()
    return changes
