"""Minutes per agenda item, decisions and action items, attachments, publishing, the archive and the PDF."""

from datetime import UTC, datetime

from flask import current_app, render_template
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import extract, select, update
from sqlalchemy.orm import selectinload
from weasyprint import HTML

from crm.audit.services import record
from crm.companies.models import ActivityKind, Company, Contact
from crm.companies.services import log_activity, meeting_mail_contacts
from crm.extensions import db
from crm.ics import one_line
from crm.mail.services import Mailing, OutboxBatch, render_mail
from crm.meetings.models import (
    ActionItem,
    ActionStatus,
    Attendance,
    AttendanceStatus,
    Invitation,
    Meeting,
    MeetingAttachment,
    MeetingStatus,
)
from crm.meetings.notifications import note_refused
from crm.uploads import check_attachment


class AlreadyPublished(ValueError):
    """The minutes were published already; they go out once."""


def save_minutes(meeting, texts, *, writer=None, by=None):
    """Store the minutes and decisions of each agenda item {item id: (minutes, decisions)} and who wrote them;
    the meeting is held."""
    changed = [item.id for item in meeting.agenda
               if item.id in texts and (item.minutes, item.decisions) != tuple(texts[item.id])]
    for item in meeting.agenda:
        if item.id in changed:
            item.minutes, item.decisions = texts[item.id]
    if writer is not None and writer != meeting.minutes_writer:
        record("meeting.minutes_writer", actor=by, obj=meeting, changes={"minutes_writer": [meeting.minutes_writer,
                                                                                            writer]})
        meeting.minutes_writer = writer
    if changed and meeting.status == MeetingStatus.PLANNED and meeting.starts_at <= datetime.now(UTC):
        meeting.status = MeetingStatus.HELD
    if changed:  # saved as shown: nothing to log
        record("meeting.minutes", actor=by, obj=meeting, changes={"agenda_items": changed})
    db.session.flush()
    return changed


def add_action_item(meeting, title, *, owner_company=None, owner_name="", due_on=None, by=None):
    """A decision or task with its owner and due date; open until marked done."""
    item = ActionItem(meeting_id=meeting.id, title=title, owner_company_id=getattr(owner_company, "id", None),
                      owner_name=owner_name, due_on=due_on)
    db.session.add(item)
    db.session.flush()
    record("meeting.action_item", actor=by, obj=meeting, changes={"title": title})
    return item


def set_action_done(item, done, *, by=None):
    """Mark an action item done (or open again)."""
    item.status = ActionStatus.DONE if done else ActionStatus.OPEN
    item.done_at = datetime.now(UTC) if done else None
    record("meeting.action_item_status", actor=by, obj=item, changes={"status": str(item.status)})
    db.session.flush()


def action_items(meeting):
    return db.session.scalars(select(ActionItem).where(ActionItem.meeting_id == meeting.id)
                              .options(selectinload(ActionItem.owner_company)).order_by(ActionItem.id)).all()


def attach(meeting, data, filename, *, by=None):
    """Store a file checked by its content (PDF, DOCX, XLSX, PNG, JPEG, at most 10 MB)."""
    content_type, safe_name = check_attachment(data, filename)
    attachment = MeetingAttachment(meeting_id=meeting.id, filename=safe_name, content_type=content_type,
                                   data=data, size=len(data))
    db.session.add(attachment)
    db.session.flush()
    record("meeting.attachment", actor=by, obj=meeting, changes={"file": safe_name, "bytes": len(data)})
    return attachment


def attachments_of(meeting):
    """The meeting's attachments without their data."""
    return db.session.execute(
        select(MeetingAttachment.id, MeetingAttachment.filename, MeetingAttachment.size)
        .where(MeetingAttachment.meeting_id == meeting.id).order_by(MeetingAttachment.id)
    ).all()


def present(meeting):
    """The companies present and their persons present, [(company name, [person names])], by company name."""
    rows = db.session.execute(
        select(Company.name, Contact.name).select_from(Attendance)
        .join(Company, Company.id == Attendance.company_id).outerjoin(Contact, Contact.id == Attendance.contact_id)
        .where(Attendance.meeting_id == meeting.id, Attendance.status == AttendanceStatus.PRESENT)
        .order_by(Company.name, Company.id, Contact.name)
    ).all()
    companies = {}
    for company_name, person_name in rows:
        persons = companies.setdefault(company_name, [])
        if person_name:
            persons.append(person_name)
    return list(companies.items())


def minutes_pdf(meeting):
    """The minutes as a PDF, from the same sanitised HTML the page shows (WeasyPrint, any Unicode text), with
    who was present and who wrote them."""
    html = render_template("meetings/minutes_pdf.html", meeting=meeting, items=action_items(meeting),
                           present=present(meeting))
    return HTML(string=html, base_url=current_app.root_path).write_pdf()


def recipients(meeting, audience):
    """[(company, contacts)] the minutes go to: the companies invited, or only those present ("present")."""
    if audience == "present":
        company_ids = select(Attendance.company_id).where(Attendance.meeting_id == meeting.id,
                                                          Attendance.status == AttendanceStatus.PRESENT)
    else:
        company_ids = select(Invitation.company_id).where(Invitation.meeting_id == meeting.id)
    companies = db.session.scalars(select(Company).where(Company.id.in_(company_ids))
                                   .options(selectinload(Company.contacts)).order_by(Company.name)).all()
    return [(company, meeting_mail_contacts(company)) for company in companies]


def publish(meeting, audience, *, by=None):
    """Send the minutes once, to all invitees or to those present, with the text in the mail and a PDF; a Mailing
    (a contact whose name or address cannot stand in a mail is left out and named, the rest get it)."""
    claimed = db.session.execute(
        update(Meeting).where(Meeting.id == meeting.id, Meeting.minutes_published_at.is_(None))
        .values(minutes_published_at=datetime.now(UTC)), execution_options={"synchronize_session": False},
    ).rowcount
    if not claimed:
        raise AlreadyPublished(meeting.id)
    pdf = minutes_pdf(meeting)
    items = action_items(meeting)
    subject = _("Referat: %(title)s", title=one_line(meeting.title))
    batch = OutboxBatch(skip_refused=True)
    sent = 0
    for company, contacts in recipients(meeting, audience):
        queued = 0
        for contact in contacts:
            text, html = render_mail("minutes", meeting=meeting, contact=contact, items=items)
            queued += batch.add(to_address=contact.email, to_name=contact.name, subject=subject, body_text=text,
                                body_html=html, company=company, concerns=meeting,
                                attachments=[(f"referat-{meeting.id}.pdf", "application/pdf", pdf)])
        if queued:
            log_activity(company.id, ActivityKind.EMAIL, _l("Referat sendt: %(title)s", title=one_line(meeting.title)),
                         author=by, obj=meeting)
        sent += queued
    batch.write()
    note_refused(batch.refused, subject, meeting, by)
    db.session.expire(meeting)
    record("meeting.minutes_published", actor=by, obj=meeting,
           changes={"audience": audience, "mails": sent, "refused": len(batch.refused)})
    db.session.flush()
    return Mailing(sent, batch.refused)


def archive(year):
    """Meetings with published minutes in a year, newest first."""
    return db.session.scalars(
        select(Meeting).where(Meeting.minutes_published_at.is_not(None),
                              extract("year", Meeting.starts_at) == year)
        .order_by(Meeting.starts_at.desc())
    ).all()
