"""Inviting companies, sending the invitation (and its updates), answers and reminders."""

from datetime import UTC, datetime
from email.utils import parseaddr

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from crm import ics
from crm.audit.services import record
from crm.companies.models import ActivityKind, Company, CompanyStatus
from crm.companies.services import log_activity, meeting_mail_contacts
from crm.extensions import db
from crm.mail.services import Mailing, OutboxBatch
from crm.meetings import notifications
from crm.meetings.models import Invitation, MeetingStatus, Rsvp

SALT = "meeting-rsvp"


class InvitationRefused(ValueError):
    """The meeting is past or cancelled, or nobody was chosen."""


def rsvp_token(invitation):
    """The opaque, signed token of an invitation's answer links; it cannot be made without the secret key."""
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT).dumps(invitation.id)


def invitation_for_token(token):
    """The invitation a token names, or None for a forged token or a deleted invitation."""
    try:
        invitation_id = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT).loads(token)
    except BadSignature:
        return None
    return db.session.get(Invitation, invitation_id) if isinstance(invitation_id, int) else None


def calendar_event(meeting):
    """The meeting as a calendar program sees it."""
    sender_name, sender_email = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])
    return ics.CalendarEvent(
        uid=meeting.uid, sequence=meeting.sequence, title=meeting.title, starts_at=meeting.starts_at,
        ends_at=meeting.ends_at, location=meeting.place, description=meeting.description,
        url=meeting.online_url, organizer_name=sender_name, organizer_email=sender_email,
        cancelled=meeting.status == MeetingStatus.CANCELLED,
    )


def check_open(meeting):
    """InvitationRefused ("cancelled" or "past") unless the meeting is planned and ahead."""
    if meeting.status != MeetingStatus.PLANNED:
        raise InvitationRefused("cancelled")
    if meeting.starts_at <= datetime.now(UTC):
        raise InvitationRefused("past")


def invite(meeting, companies, *, by=None):
    """Invite companies not yet invited; the database allows one invitation per meeting and company."""
    check_open(meeting)
    if not companies:
        raise InvitationRefused("nobody")
    invited = invited_ids(meeting)
    new = [company for company in companies if company.id not in invited]
    for company in new:
        db.session.add(Invitation(meeting_id=meeting.id, company_id=company.id))
    db.session.flush()
    record("meeting.invite", actor=by, obj=meeting, changes={"companies": len(new)})
    return new


def invited_ids(meeting):
    """The ids of the companies invited to the meeting."""
    return set(db.session.scalars(select(Invitation.company_id).where(Invitation.meeting_id == meeting.id)))


def network_companies():
    """Every company in the network that has not left."""
    return db.session.scalars(select(Company).where(Company.status != CompanyStatus.LEFT)).all()


def _claim(meeting, condition, values):
    """Mark the invitations to mail in one UPDATE; of two clicks only the first gets them."""
    return db.session.scalars(
        update(Invitation).where(Invitation.meeting_id == meeting.id, condition).values(**values)
        .returning(Invitation.id),
        execution_options={"synchronize_session": False},
    ).all()


def _unsent(meeting, *, cancelling=False):
    """The invitations that have not had the meeting's current version (or, cancelling, the cancellation)."""
    if cancelling or meeting.status == MeetingStatus.CANCELLED:
        # only those who had an earlier version hear of the cancellation
        sequence = meeting.sequence + (1 if cancelling else 0)
        return Invitation.sent_sequence.is_not(None) & (Invitation.sent_sequence < sequence)
    return Invitation.sent_sequence.is_(None) | (Invitation.sent_sequence < meeting.sequence)


def _unreminded(only=None):
    """The invitations a reminder goes to: sent, not answered, not reminded (of the chosen, if any)."""
    condition = (Invitation.rsvp.is_(None) & Invitation.reminded_at.is_(None)
                 & Invitation.sent_sequence.is_not(None))
    return condition if only is None else condition & Invitation.id.in_(only)


def recipients(meeting, purpose, *, only=None, companies=()):
    """[(company, contacts)] that a mailing of the purpose would reach now, claiming nothing: "send" (the current
    version to whoever lacks it, with the `companies` about to be invited), "cancel" or "reminder"."""
    condition = {"send": lambda: _unsent(meeting), "cancel": lambda: _unsent(meeting, cancelling=True),
                 "reminder": lambda: _unreminded(only)}[purpose]()
    chosen = select(Invitation.company_id).where(Invitation.meeting_id == meeting.id, condition)
    invited = select(Invitation.company_id).where(Invitation.meeting_id == meeting.id)
    new = Company.id.in_([company.id for company in companies]) & Company.id.not_in(invited)
    found = db.session.scalars(select(Company).where(Company.id.in_(chosen) | new)
                               .options(selectinload(Company.contacts)).order_by(Company.name)).all()
    return [(company, meeting_mail_contacts(company)) for company in found]


def send_invitations(meeting, *, by=None):
    """Mail the current version to every invitee who has not had it: new ones, or all after a change. A Mailing:
    the mails queued, and the contacts left out (a name or address that cannot stand in a mail)."""
    cancelled = meeting.status == MeetingStatus.CANCELLED
    if not cancelled:
        check_open(meeting)
    ids = _claim(meeting, _unsent(meeting), {"sent_sequence": meeting.sequence})
    mailing = _mail(meeting, ids, "cancel" if cancelled else ("update" if meeting.sequence else "invite"), by)
    record("meeting.invitations_sent", actor=by, obj=meeting,
           changes={"mails": mailing.queued, "sequence": meeting.sequence, "refused": len(mailing.refused)})
    return mailing


def remind(meeting, only=None, *, by=None):
    """Remind those who have not answered (all, or only the chosen invitations), each once; a Mailing."""
    check_open(meeting)
    ids = _claim(meeting, _unreminded(only), {"reminded_at": datetime.now(UTC)})
    mailing = _mail(meeting, ids, "reminder", by)
    record("meeting.reminded", actor=by, obj=meeting,
           changes={"mails": mailing.queued, "refused": len(mailing.refused)})
    return mailing


def _mail(meeting, invitation_ids, purpose, by):
    """Queue the mail of the purpose to the contacts of the claimed invitations; one contact whose name or address
    cannot stand in a mail is left out (and named on the company's timeline), never the whole mailing."""
    if not invitation_ids:
        return Mailing(0, [])
    invitations = db.session.scalars(
        select(Invitation).where(Invitation.id.in_(invitation_ids))
        .options(selectinload(Invitation.company).selectinload(Company.contacts))
    ).all()
    mails = notifications.InvitationMails(meeting, calendar_event(meeting), purpose)
    batch = OutboxBatch(skip_refused=True)
    sent, nobody_mailed = 0, []
    for invitation in invitations:
        contacts = meeting_mail_contacts(invitation.company)
        if not contacts:
            if purpose == "reminder":  # nobody there to remind: the list must not say "påmindet"
                nobody_mailed.append(invitation.id)
            continue
        token = rsvp_token(invitation)
        queued = sum(mails.queue(batch, invitation, contact, token) for contact in contacts)
        if queued:
            log_activity(invitation.company_id, ActivityKind.EMAIL, mails.subject, obj=meeting)
        else:
            nobody_mailed.append(invitation.id)
        sent += queued
    batch.write()
    notifications.note_refused(batch.refused, mails.subject, meeting, by)
    _release(meeting, nobody_mailed, purpose)
    db.session.flush()
    return Mailing(sent, batch.refused)


def _release(meeting, invitation_ids, purpose):
    """Give back the claim on invitations none of whose contacts could be mailed, so that they count as not sent
    and go out from the invitation list once the contact is corrected."""
    if not invitation_ids:
        return
    if purpose == "reminder":
        values = {"reminded_at": None}
    else:
        values = {"sent_sequence": meeting.sequence - 1 if meeting.sequence else None}
    db.session.execute(update(Invitation).where(Invitation.id.in_(invitation_ids)).values(**values),
                       execution_options={"synchronize_session": False})


def answer(invitation, rsvp, *, by_whom="link"):
    """Record yes, no or maybe until the meeting starts; the same answer again changes nothing."""
    meeting = invitation.meeting
    if meeting.status != MeetingStatus.PLANNED or meeting.starts_at <= datetime.now(UTC):
        raise InvitationRefused("closed")
    rsvp = Rsvp(rsvp)
    if invitation.rsvp == rsvp:
        return False
    old = invitation.rsvp
    invitation.rsvp, invitation.rsvp_at, invitation.rsvp_by = rsvp, datetime.now(UTC), by_whom
    record("meeting.rsvp", obj=invitation, changes={"rsvp": [str(old) if old else None, str(rsvp)],
                                                    "by": by_whom})
    db.session.flush()
    return True


def invitations_of(meeting):
    """The meeting's invitations with company and contacts, by company name."""
    return db.session.scalars(
        select(Invitation).join(Company).where(Invitation.meeting_id == meeting.id)
        .options(selectinload(Invitation.company).selectinload(Company.contacts)).order_by(Company.name)
    ).all()

