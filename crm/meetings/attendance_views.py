"""The check-in page for the day (htmx, and plain forms without it) and the attendance export."""

from dataclasses import replace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.audit.access import record_access
from crm.audit.access_models import AccessKind
from crm.companies.models import Contact
from crm.companies.services import find_by_cvr
from crm.downloads import CSV, XLSX, as_download, table_csv, table_xlsx
from crm.extensions import db
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
    view = attendance.CheckinView.from_args(request.args)
    if request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"):
        rows = attendance.checkin_rows(meeting, view.q, offset=view.offset, limit=view.limit)
        _record_persons_shown(rows)
        template = "meetings/_checkin_more.html" if view.offset else "meetings/_checkin_list.html"
        return render_template(template, meeting=meeting, rows=rows, view=view)
    return _checkin_page(meeting, replace(view, offset=0))  # a whole page starts at the top


def _checkin_page(meeting, view, walk_in_form=None):
    """The check-in page; a refused walk-in is shown again as typed, with 422."""
    rows = attendance.checkin_rows(meeting, view.q, limit=view.limit)
    _record_persons_shown(rows)
    return render_template("meetings/checkin.html", meeting=meeting, rows=rows, view=view,
                           counts=attendance.counts(meeting),
                           walk_in_form=walk_in_form or WalkInForm(formdata=None)), 200 if walk_in_form is None else 422


def _record_persons_shown(rows):
    if contacts := [contact for company in rows.companies for contact in company.contacts]:
        record_access(AccessKind.SEARCH, contacts=contacts)


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
    view = attendance.CheckinView.from_args(request.args)
    return redirect(url_for(".checkin", meeting_id=meeting.id, **view.args(open=contact.company_id),
                            _anchor=f"kontakt-{contact.id}"))


@bp.post("/<int:meeting_id>/walk-in")
@roles_required(*STAFF_ROLES)
def walk_in(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = WalkInForm()
    if not form.validate_on_submit():
        return _checkin_page(meeting, attendance.CheckinView(), form)
    company_name = (form.company_name.data or "").strip()
    if find_by_cvr(form.cvr.data) is None and not company_name:
        form.company_name.errors.append(
            _("Virksomheden findes ikke i registret endnu. Skriv også dens navn, så oprettes den."))
        return _checkin_page(meeting, attendance.CheckinView(), form)
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
    record_access(AccessKind.EXPORT, contacts=attendance.persons_recorded(meeting))
    if file_format == "xlsx":
        data = table_xlsx(columns, rows, _("Fremmøde"))
    else:
        data = table_csv(columns, rows)
    return as_download(data, XLSX if file_format == "xlsx" else CSV, f"fremmoede-{meeting.id}.{file_format}")

