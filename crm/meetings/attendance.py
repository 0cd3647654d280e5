"""Who came: check-in on the day, walk-ins, corrections afterwards, counts and export."""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from crm.audit.services import record
from crm.companies import services as company_services
from crm.companies.models import ActivityKind, Company, Contact
from crm.companies.search import MAX_QUERY, clean_query_text, search_condition
from crm.extensions import db
from crm.http import DB_INT_MAX, whole_number
from crm.i18n import localtime
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
    if company_present(meeting, company_id) <= 1:
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


#: Companies the check-in page shows at a time, until searched or asked for more ("Vis flere").
CHECKIN_PAGE_SIZE = 50
#: The most companies one check-in request shows (a plain "Vis flere" link asks for 100, 150, ...).
CHECKIN_MAX_LIMIT = 1000
#: The answer of a company that came without an invitation.
WALK_IN = "walk_in"
#: Yes first, then maybe, then no answer (and walk-ins); those who declined last.
ANSWER_ORDER = case((Invitation.rsvp == Rsvp.YES, 0), (Invitation.rsvp == Rsvp.MAYBE, 1),
                    (Invitation.rsvp == Rsvp.NO, 3), else_=2)


@dataclass
class CheckinList:
    """One stretch of the check-in list: companies with their contacts, answers and attendances."""

    companies: list
    #: {company id: Rsvp, None (not answered) or WALK_IN (came without an invitation)}.
    answers: dict
    #: {contact id: Attendance} of the companies shown.
    attendances: dict
    #: Companies matching the search (all of them, not only those shown).
    total: int
    offset: int

    @property
    def shown_to(self):
        """How many of the matching companies are shown once this stretch is on the page."""
        return self.offset + len(self.companies)

    @property
    def more(self):
        return self.total > self.shown_to

    def present(self, company):
        """How many of the company's persons are marked present."""
        return sum(1 for contact in company.contacts if (row := self.attendances.get(contact.id)) is not None
                   and row.status == AttendanceStatus.PRESENT)


@dataclass(frozen=True)
class CheckinView:
    """What the check-in page was asked to show: the search, how many companies, from where, which one open."""

    q: str = ""
    limit: int = CHECKIN_PAGE_SIZE
    offset: int = 0
    open: int | None = None

    @classmethod
    def from_args(cls, args):
        """Whatever the query string holds, a view that is safe to query with."""
        limit = args.get("limit", CHECKIN_PAGE_SIZE, type=whole_number)
        return cls(q=clean_query_text(args.get("q", ""), MAX_QUERY),
                   limit=min(max(limit, 1), CHECKIN_MAX_LIMIT),
                   offset=min(max(args.get("offset", 0, type=whole_number), 0), DB_INT_MAX // 2),
                   open=args.get("open", type=whole_number))

    @property
    def step(self):
        """How many more companies "Vis flere" shows."""
        return CHECKIN_PAGE_SIZE

    def args(self, **overrides):
        """The query string of this view (what differs from the defaults), with overrides."""
        values = {"q": self.q, "limit": self.limit if self.limit != CHECKIN_PAGE_SIZE else None,
                  **overrides}
        return {key: value for key, value in values.items() if value}


def checkin_rows(meeting, q="", *, offset=0, limit=CHECKIN_PAGE_SIZE):
    """Invited companies (and walk-ins) matching the search in company, person, CVR or address, yes first, then
    maybe, not answered and declined, each by name; `limit` of them from `offset`, with their contacts and
    attendances, in three queries."""
    invited = select(Invitation.company_id).where(Invitation.meeting_id == meeting.id)
    came = select(Attendance.company_id).where(Attendance.meeting_id == meeting.id)
    rows = db.session.execute(
        select(Company, Invitation.rsvp, func.count().over(), Invitation.id)
        .outerjoin(Invitation, (Invitation.company_id == Company.id) & (Invitation.meeting_id == meeting.id))
        .where(Company.id.in_(invited.union(came)), *search_condition(q, scan=True))
        .order_by(ANSWER_ORDER, Company.name, Company.id).offset(offset).limit(limit)
        .options(selectinload(Company.contacts))
    ).all()
    companies = [row[0] for row in rows]
    attendances = {row.contact_id: row for row in db.session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id,
                                 Attendance.company_id.in_([company.id for company in companies])))
    } if companies else {}
    if rows:
        total = rows[0][2]
    else:  # past the end (or nothing matches): count what there is
        total = db.session.scalar(select(func.count()).select_from(Company).where(
            Company.id.in_(invited.union(came)), *search_condition(q, scan=True))) if offset else 0
    answers = {company.id: WALK_IN if invitation_id is None else rsvp for company, rsvp, _total, invitation_id in rows}
    return CheckinList(companies, answers, attendances, total, offset)


def company_present(meeting, company_id):
    """How many persons of the company are marked present at the meeting."""
    return db.session.scalar(select(func.count()).select_from(Attendance).where(
        Attendance.meeting_id == meeting.id, Attendance.company_id == company_id,
        Attendance.status == AttendanceStatus.PRESENT))


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


#: The attendance export's words for a person's state (the check-in buttons say "Udeblev", a list "Udeblevet").
EXPORT_STATUS = {AttendanceStatus.PRESENT: _l("Til stede"), AttendanceStatus.EXCUSED: _l("Afbud"),
                 AttendanceStatus.NO_SHOW: _l("Udeblevet")}


def export_table(meeting):
    """The attendance as a table for people: Danish columns and values, one row per person with an attendance,
    times in Danish time. (columns, rows)."""
    rows = db.session.execute(
        select(Company.name, Company.cvr, Contact.name, Contact.email, Attendance.status, Attendance.walk_in,
               Attendance.checked_in_at)
        .join(Company, Company.id == Attendance.company_id).outerjoin(Contact, Contact.id == Attendance.contact_id)
        .where(Attendance.meeting_id == meeting.id).order_by(Company.name, Contact.name)
    ).all()
    columns = [_("Virksomhed"), _("CVR-nr."), _("Person"), _("E-mail"), _("Fremmøde"), _("Uanmeldt"),
               _("Registreret")]
    yes, no = _("Ja"), _("Nej")
    return columns, [[company, cvr, person or "", email or "", str(EXPORT_STATUS[AttendanceStatus(status)]),
                      yes if walk_in else no, localtime(checked_in_at)]
                     for company, cvr, person, email, status, walk_in, checked_in_at in rows]


def persons_recorded(meeting):
    """(id, company_id) of the contact persons with an attendance at the meeting (the attendance export's)."""
    return db.session.execute(select(Attendance.contact_id.label("id"), Attendance.company_id)
                              .where(Attendance.meeting_id == meeting.id, Attendance.contact_id.is_not(None))).all()


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
