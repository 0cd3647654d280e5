"""The meetings' part of what happens to a company or a person elsewhere (a merge, an erasure, the data ZIP) and
of the pages other areas assemble (the company page, the group page)."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.companies.models import Contact
from crm.extensions import db
from crm.meetings.attendance import company_history
from crm.meetings.models import ActionItem, ActionStatus, Attendance, AttendanceStatus, Invitation, Meeting, Rsvp
from crm.meetings.services import group_meetings
from crm.merging import ANONYMISED_NAME, repoint, scrub_words, text_contains_any
from crm.signals import (
    ExportPart,
    Panel,
    company_export_parts,
    company_merged,
    company_page_panels,
    contact_erased,
    contacts_active_since,
    contacts_merged,
    declare,
    group_page_panels,
    handles,
)


@company_page_panels.connect
def _company_panel(company):
    """The meetings the company was invited to or came to, on the staff company page."""
    return Panel("meetings/_company_panel.html", {"meetings": company_history(company)}, order=40)


@contacts_active_since.connect
def _attended_since(since):
    """A person who came to (or sent word about) a meeting held since then is active."""
    return select(Attendance.contact_id).join(Meeting, Meeting.id == Attendance.meeting_id) \
        .where(Meeting.starts_at >= since)


@group_page_panels.connect
def _group_panel(group):
    """The group's coming and held meetings and the open action items of its meetings, on the group's page."""
    upcoming, past, open_items = group_meetings(group)
    return Panel("meetings/_group_panel.html", {"upcoming": upcoming, "past": past, "open_items": open_items},
                 order=40)


def _keeps(mine, theirs):
    """Of two invitations of one meeting, the one to keep: the answered one; of two answers, the later."""
    if (mine.rsvp is None) != (theirs.rsvp is None):
        return mine if mine.rsvp is not None else theirs
    if mine.rsvp is not None and theirs.rsvp_at and (mine.rsvp_at is None or theirs.rsvp_at > mine.rsvp_at):
        return theirs
    return mine


@handles(company_merged, "invitations.company_id", "attendances.company_id", "action_items.owner_company_id")
def _move_meeting_rows(survivor, duplicate):
    """Invitations (one per meeting: the answered one is kept), attendance and action items go to the survivor."""
    theirs = {row.meeting_id: row for row in db.session.scalars(
        select(Invitation).where(Invitation.company_id == duplicate.id))}
    mine = {row.meeting_id: row for row in db.session.scalars(
        select(Invitation).where(Invitation.company_id == survivor.id, Invitation.meeting_id.in_(theirs)))}
    dropped = 0
    for meeting_id, survivor_row in mine.items():
        duplicate_row = theirs[meeting_id]
        kept = _keeps(survivor_row, duplicate_row)
        kept.sent_sequence = max((row.sent_sequence for row in (survivor_row, duplicate_row)
                                  if row.sent_sequence is not None), default=None)
        gone = duplicate_row if kept is survivor_row else survivor_row
        dropped += gone is duplicate_row
        db.session.delete(gone)
        db.session.flush()
        kept.company_id = survivor.id
    db.session.flush()
    repoint(Invitation.company_id, duplicate.id, survivor.id)
    return {"invitations": len(theirs) - dropped,
            "attendances": repoint(Attendance.company_id, duplicate.id, survivor.id),
            "action_items": repoint(ActionItem.owner_company_id, duplicate.id, survivor.id)}


ATTENDANCE_RANK = {AttendanceStatus.PRESENT: 0, AttendanceStatus.EXCUSED: 1, AttendanceStatus.NO_SHOW: 2}


@handles(contacts_merged, "attendances.contact_id")
def _move_attendance_of_joined_contact(survivor, duplicate):
    """One person at a meeting once: where both rows exist, the one that says the person came is kept."""
    rows = db.session.scalars(select(Attendance).where(Attendance.contact_id.in_((survivor.id, duplicate.id)))).all()
    by_meeting = {}
    for row in rows:
        by_meeting.setdefault(row.meeting_id, []).append(row)
    for both in by_meeting.values():
        both.sort(key=lambda row: (ATTENDANCE_RANK.get(row.status, 9), row.contact_id != survivor.id))
        for extra in both[1:]:
            db.session.delete(extra)
    db.session.flush()
    repoint(Attendance.contact_id, duplicate.id, survivor.id)


declare(contact_erased, "attendances.contact_id", "the row stays with the anonymised contact: counts stay true")
declare(contact_erased, "attendances.company_id", "attendance names the company and the (anonymised) contact")


@handles(contact_erased, "invitations.company_id", "action_items.owner_company_id")
def _scrub_answers_and_tasks(contact, old_email, words, **_kwargs):
    """An answer noted with the person's e-mail, and a task owned by the person by name, lose the person."""
    if old_email:
        for invitation in db.session.scalars(select(Invitation).where(Invitation.company_id == contact.company_id,
                                                                      Invitation.rsvp_by == old_email)):
            invitation.rsvp_by = ANONYMISED_NAME
    for item in db.session.scalars(select(ActionItem).where(ActionItem.owner_company_id == contact.company_id,
                                                            text_contains_any(ActionItem.owner_name, words))):
        item.owner_name = scrub_words(item.owner_name, words)


INVITATION_COLUMNS = {"meeting": _l("Møde"), "meeting_starts_at": _l("Mødet begynder"),
                      "invited_at": _l("Inviteret"), "rsvp": _l("Svar"), "rsvp_at": _l("Svaret"),
                      "rsvp_by": _l("Svaret af")}
ATTENDANCE_COLUMNS = {"meeting": _l("Møde"), "meeting_starts_at": _l("Mødet begynder"), "person": _l("Person"),
                      "status": _l("Fremmøde"), "walk_in": _l("Uanmeldt"), "checked_in_at": _l("Tjekket ind")}
ACTION_COLUMNS = {"meeting": _l("Møde"), "title": _l("Opgave"), "owner_name": _l("Ansvarlig"),
                  "due_on": _l("Frist"), "status": _l("Status")}
#: The stored answers, attendance and task states in the words of the CSV.
ANSWER_WORDS = {Rsvp.YES: _l("Ja"), Rsvp.NO: _l("Nej"), Rsvp.MAYBE: _l("Måske")}
ATTENDANCE_WORDS = {AttendanceStatus.PRESENT: _l("Til stede"), AttendanceStatus.EXCUSED: _l("Afbud"),
                    AttendanceStatus.NO_SHOW: _l("Udeblevet")}
ACTION_WORDS = {ActionStatus.OPEN: _l("Åben"), ActionStatus.DONE: _l("Løst")}


@handles(company_export_parts, "invitations.company_id", "attendances.company_id", "attendances.contact_id",
         "action_items.owner_company_id")
def _meeting_parts(company):
    """The company's invitations and answers, who came, and the tasks it owns."""
    invitations = db.session.execute(
        select(Meeting.title, Meeting.starts_at, Invitation.invited_at, Invitation.rsvp, Invitation.rsvp_at,
               Invitation.rsvp_by).join(Meeting).where(Invitation.company_id == company.id)
        .order_by(Meeting.starts_at)).all()
    attendance = db.session.execute(
        select(Meeting.title, Meeting.starts_at, Contact.name, Attendance.status, Attendance.walk_in,
               Attendance.checked_in_at).join(Meeting, Meeting.id == Attendance.meeting_id)
        .outerjoin(Contact, Contact.id == Attendance.contact_id).where(Attendance.company_id == company.id)
        .order_by(Meeting.starts_at)).all()
    actions = db.session.execute(
        select(Meeting.title, ActionItem.title, ActionItem.owner_name, ActionItem.due_on, ActionItem.status)
        .join(Meeting, Meeting.id == ActionItem.meeting_id).where(ActionItem.owner_company_id == company.id)
        .order_by(Meeting.starts_at, ActionItem.id)).all()
    return [
        ExportPart("invitations", INVITATION_COLUMNS,
                   [dict(zip(INVITATION_COLUMNS, row, strict=True)) for row in invitations], order=30,
                   values={"rsvp": ANSWER_WORDS}),
        ExportPart("attendance", ATTENDANCE_COLUMNS,
                   [dict(zip(ATTENDANCE_COLUMNS, row, strict=True)) for row in attendance], order=31,
                   values={"status": ATTENDANCE_WORDS}),
        ExportPart("action_items", ACTION_COLUMNS,
                   [dict(zip(ACTION_COLUMNS, row, strict=True)) for row in actions], order=32,
                   values={"status": ACTION_WORDS}),
    ]
