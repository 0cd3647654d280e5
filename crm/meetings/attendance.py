"""Who came: check-in on the day, walk-ins, corrections afterwards, counts and export."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from crm.audit.services import record
from crm.companies import services as company_services
from crm.companies.models import ActivityKind, Company, Contact
from crm.extensions import db
from crm.meetings.models import Attendance, AttendanceStatus, Invitation, Meeting, Rsvp


def mark(meeting, contact, status, *, by=None):
    """Mark a person present, excused or no-show; a second tap changes nothing, a change is audited."""
    status = AttendanceStatus(status)
    attendance = db.session.scalars(select(Attendance).where(
        Attendance.meeting_id == meeting.id, Attendance.contact_id == contact.id)).first()
    if attendance is not None and attendance.status == status:
        return attendance
    if attendance is None:
        attendance = Attendance(meeting_id=meeting.id, company_id=contact.company_id, contact_id=contact.id,
                                status=status)
        try:
            with db.session.begin_nested():  # two taps at once: the database keeps one row
                db.session.add(attendance)
        except IntegrityError:
            return mark(meeting, contact, status, by=by)
        if status == AttendanceStatus.PRESENT:
            _note_on_timeline(meeting, contact.company_id, by)
    else:
        record("attendance.correct", actor=by, obj=attendance,
               changes={"status": [str(attendance.status), str(status)], "contact_id": contact.id})
        attendance.status = status
        if status == AttendanceStatus.PRESENT:
            _note_on_timeline(meeting, contact.company_id, by)
    db.session.flush()
    return attendance


def _note_on_timeline(meeting, company_id, by):
    already = db.session.scalar(select(func.count()).select_from(Attendance).where(
        Attendance.meeting_id == meeting.id, Attendance.company_id == company_id,
        Attendance.status == AttendanceStatus.PRESENT))
    if already <= 1:
        company_services.log_activity(company_id, ActivityKind.MEETING,
                                      _l("Deltog i %(meeting)s", meeting=meeting.title), author=by,
                                      obj=meeting, occurred_at=meeting.starts_at)


def walk_in(meeting, *, cvr, company_name, person_name, email, by=None):
    """A person who came without an invitation: their company (created in place if new) and contact."""
    company = company_services.find_by_cvr(cvr)
    if company is None:
        company = company_services.create_company({"cvr": cvr, "name": company_name}, by=by)
    email = (email or "").strip().lower() or None
    contact = next((c for c in company.contacts if email and c.email == email), None)
    if contact is None:
        contact = next((c for c in company.contacts if not email and c.name == person_name), None)
    if contact is None:
        contact = company_services.add_contact(company, {"name": person_name, "email": email, "source": "meeting"},
                                               by=by)
    attendance = mark(meeting, contact, AttendanceStatus.PRESENT, by=by)
    attendance.walk_in = True
    db.session.flush()
    return attendance


def checkin_rows(meeting):
    """Invited companies (and walk-ins) with their contacts and each person's attendance, by company name."""
    invited = select(Invitation.company_id).where(Invitation.meeting_id == meeting.id)
    came = select(Attendance.company_id).where(Attendance.meeting_id == meeting.id)
    companies = db.session.scalars(
        select(Company).where(Company.id.in_(invited.union(came)))
        .options(selectinload(Company.contacts)).order_by(Company.name)
    ).all()
    attendances = {row.contact_id: row for row in db.session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id))}
    answers = dict(db.session.execute(select(Invitation.company_id, Invitation.rsvp)
                                      .where(Invitation.meeting_id == meeting.id)).all())
    return companies, attendances, answers


def present_counts(meeting):
    """Companies and persons present, in one query."""
    companies, persons = db.session.execute(
        select(func.count(func.distinct(Attendance.company_id)), func.count())
        .where(Attendance.meeting_id == meeting.id, Attendance.status == AttendanceStatus.PRESENT)
    ).one()
    return {"companies": companies, "persons": persons}


def counts(meeting):
    """Invited, answered yes, companies present and persons present."""
    invited, yes = db.session.execute(
        select(func.count(), func.count().filter(Invitation.rsvp == Rsvp.YES))
        .where(Invitation.meeting_id == meeting.id)
    ).one()
    return {"invited": invited, "yes": yes, **present_counts(meeting)}


def export_rows(meeting):
    """One row per person with an attendance: company, CVR, person, e-mail, status, walk-in, time."""
    rows = db.session.execute(
        select(Company.name, Company.cvr, Contact.name, Contact.email, Attendance.status, Attendance.walk_in,
               Attendance.checked_in_at)
        .join(Company, Company.id == Attendance.company_id).outerjoin(Contact, Contact.id == Attendance.contact_id)
        .where(Attendance.meeting_id == meeting.id).order_by(Company.name, Contact.name)
    ).all()
    return [{"company": r[0], "cvr": r[1], "person": r[2] or "", "email": r[3] or "", "status": str(r[4]),
             "walk_in": "ja" if r[5] else "nej", "checked_in_at": r[6].isoformat(timespec="minutes")} for r in rows]


def company_history(company):
    """The meetings a company was invited to or came to, newest first: (meeting, answer, persons present)."""
    invited = select(Invitation.meeting_id, Invitation.rsvp).where(Invitation.company_id == company.id).subquery()
    present = (select(Attendance.meeting_id, func.count().label("persons"))
               .where(Attendance.company_id == company.id, Attendance.status == AttendanceStatus.PRESENT)
               .group_by(Attendance.meeting_id).subquery())
    rows = db.session.execute(
        select(Meeting, invited.c.rsvp, func.coalesce(present.c.persons, 0))
        .outerjoin(invited, invited.c.meeting_id == Meeting.id).outerjoin(present, present.c.meeting_id == Meeting.id)
        .where(or_(invited.c.meeting_id.is_not(None), present.c.meeting_id.is_not(None)))
        .order_by(Meeting.starts_at.desc()).limit(50)
    ).all()
    return [(meeting, rsvp, persons) for meeting, rsvp, persons in rows]
