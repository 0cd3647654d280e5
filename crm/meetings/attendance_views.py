"""The check-in page for the day (htmx, and plain forms without it) and the attendance export."""

from dataclasses import dataclass

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.companies.models import Contact
from crm.companies.search import MAX_QUERY, clean_query_text
from crm.companies.services import find_by_cvr
from crm.downloads import CSV, XLSX, as_download, table_csv, table_xlsx
from crm.extensions import db
from crm.http import DB_INT_MAX, whole_number
from crm.meetings import attendance
from crm.meetings.blueprint import bp
from crm.meetings.forms import MarkAttendanceForm, WalkInForm
from crm.meetings.models import Meeting
from crm.security import STAFF_ROLES, roles_required


@bp.get("/<int:meeting_id>/checkin")
@roles_required(*STAFF_ROLES)
def checkin(meeting_id):
    """The check-in page; with htmx, the list alone for a search, or the next companies for "Vis flere"."""
    meeting = db.get_or_404(Meeting, meeting_id)
    view = CheckinView.from_args(request.args)
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        rows = attendance.checkin_rows(meeting, view.q, offset=view.offset, limit=view.limit)
        template = "meetings/_checkin_more.html" if view.offset else "meetings/_checkin_list.html"
        return render_template(template, meeting=meeting, rows=rows, view=view)
    return _checkin_page(meeting, view)


@dataclass(frozen=True)
class CheckinView:
    """What the check-in page was asked to show: the search, how many companies, from where, which one open."""

    q: str = ""
    limit: int = attendance.CHECKIN_PAGE_SIZE
    offset: int = 0
    open: int | None = None

    @classmethod
    def from_args(cls, args):
        """Whatever the query string holds, a view that is safe to query with."""
        limit = args.get("limit", attendance.CHECKIN_PAGE_SIZE, type=whole_number)
        return cls(q=clean_query_text(args.get("q", ""), MAX_QUERY),
                   limit=min(max(limit, 1), attendance.CHECKIN_MAX_LIMIT),
                   offset=min(max(args.get("offset", 0, type=whole_number), 0), DB_INT_MAX // 2),
                   open=args.get("open", type=whole_number))

    @property
    def step(self):
        """How many more companies "Vis flere" shows."""
        return attendance.CHECKIN_PAGE_SIZE

    def args(self, **overrides):
        """The query string of this view (what differs from the defaults), with overrides."""
        values = {"q": self.q, "limit": self.limit if self.limit != attendance.CHECKIN_PAGE_SIZE else None,
                  **overrides}
        return {key: value for key, value in values.items() if value}


def _checkin_page(meeting, view, walk_in_form=None):
    """The check-in page; a refused walk-in is shown again as typed, with 422."""
    rows = attendance.checkin_rows(meeting, view.q, limit=view.limit)
    return render_template("meetings/checkin.html", meeting=meeting, rows=rows, view=view,
                           counts=attendance.counts(meeting),
                           walk_in_form=walk_in_form or WalkInForm(formdata=None)), 200 if walk_in_form is None else 422


@bp.post("/<int:meeting_id>/attendance")
@roles_required(*STAFF_ROLES)
def mark_attendance(meeting_id):
    """One tap: with htmx the person's new state and the counts; without, back to where the list was."""
    meeting = db.get_or_404(Meeting, meeting_id)
    form = MarkAttendanceForm()
    contact = db.session.get(Contact, form.contact_id.data) if form.validate_on_submit() else None
    if contact is None:
        abort(400)
    row = attendance.mark(meeting, contact, form.status.data, by=current_user)
    db.session.commit()
    if request.headers.get("HX-Request"):
        person = render_template("meetings/_checkin_person.html", meeting=meeting, contact=contact, row=row,
                                 present=attendance.company_present(meeting, contact.company_id))
        counts = render_template("meetings/_checkin_counts.html", meeting=meeting, counts=attendance.counts(meeting),
                                 oob=True)
        return person + counts
    view = CheckinView.from_args(request.args)
    return redirect(url_for(".checkin", meeting_id=meeting.id, **view.args(open=contact.company_id),
                            _anchor=f"kontakt-{contact.id}"))


@bp.post("/<int:meeting_id>/walk-in")
@roles_required(*STAFF_ROLES)
def walk_in(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = WalkInForm()
    if not form.validate_on_submit():
        return _checkin_page(meeting, CheckinView(), form)
    company_name = (form.company_name.data or "").strip()
    if find_by_cvr(form.cvr.data) is None and not company_name:
        form.company_name.errors.append(
            _("Virksomheden findes ikke i registret endnu. Skriv også dens navn, så oprettes den."))
        return _checkin_page(meeting, CheckinView(), form)
    person = form.person_name.data.strip()
    attendance.walk_in(meeting, cvr=form.cvr.data, company_name=company_name, person_name=person,
                       email=form.email.data or "", by=current_user)
    db.session.commit()
    flash(_("%(name)s er skrevet ind som fremmødt.", name=person), "success")
    return redirect(url_for(".checkin", meeting_id=meeting.id))


@bp.get("/<int:meeting_id>/attendance.<any(csv, xlsx):file_format>")
@roles_required(*STAFF_ROLES)
def export_attendance(meeting_id, file_format):
    meeting = db.get_or_404(Meeting, meeting_id)
    columns, rows = attendance.export_table(meeting)
    if file_format == "xlsx":
        data = table_xlsx(columns, rows, _("Fremmøde"))
    else:
        data = table_csv(columns, rows)
    return as_download(data, XLSX if file_format == "xlsx" else CSV, f"fremmoede-{meeting.id}.{file_format}")

