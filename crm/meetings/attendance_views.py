"""The check-in page for the day (htmx, and plain forms without it) and the attendance export."""


from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.auth.models import STAFF_ROLES
from crm.companies.models import Contact
from crm.companies.services import find_by_cvr
from crm.cvr import InvalidNumber, normalise_cvr
from crm.downloads import CSV, XLSX, as_download, table_csv, table_xlsx
from crm.extensions import db
from crm.http import whole_number
from crm.meetings import attendance
from crm.meetings.blueprint import bp
from crm.meetings.models import AttendanceStatus, Meeting
from crm.security import roles_required


@bp.get("/<int:meeting_id>/checkin")
@roles_required(*STAFF_ROLES)
def checkin(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    companies, attendances, answers = attendance.checkin_rows(meeting)
    return render_template("meetings/checkin.html", meeting=meeting, companies=companies, attendances=attendances,
                           answers=answers, counts=attendance.counts(meeting))


@bp.post("/<int:meeting_id>/attendance")
@roles_required(*STAFF_ROLES)
def mark_attendance(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    status = request.form.get("status", "")
    contact = db.session.get(Contact, request.form.get("contact_id", type=whole_number) or 0)
    if contact is None or status not in set(AttendanceStatus):
        abort(400)
    row = attendance.mark(meeting, contact, status, by=current_user)
    db.session.commit()
    if request.headers.get("HX-Request"):
        person = render_template("meetings/_checkin_person.html", meeting=meeting, contact=contact, row=row)
        counts = render_template("meetings/_checkin_counts.html", meeting=meeting, counts=attendance.counts(meeting),
                                 oob=True)
        return person + counts
    return redirect(url_for(".checkin", meeting_id=meeting.id, _anchor=f"kontakt-{contact.id}"))


@bp.post("/<int:meeting_id>/walk-in")
@roles_required(*STAFF_ROLES)
def walk_in(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    person = request.form.get("person_name", "").strip()[:200]
    company_name = request.form.get("company_name", "").strip()[:200]
    try:
        cvr = normalise_cvr(request.form.get("cvr", ""))
    except InvalidNumber as error:
        flash(str(error), "error")
        return redirect(url_for(".checkin", meeting_id=meeting.id, _anchor="walk-in"))
    if not person:
        flash(_("Skriv personens navn."), "error")
        return redirect(url_for(".checkin", meeting_id=meeting.id, _anchor="walk-in"))
    if find_by_cvr(cvr) is None and not company_name:
        flash(_("Virksomheden findes ikke i registret endnu. Skriv også dens navn, så oprettes den."), "error")
        return redirect(url_for(".checkin", meeting_id=meeting.id, _anchor="walk-in"))
    attendance.walk_in(meeting, cvr=cvr, company_name=company_name, person_name=person,
                       email=request.form.get("email", ""), by=current_user)
    db.session.commit()
    flash(_("%(name)s er skrevet ind som fremmødt.", name=person), "success")
    return redirect(url_for(".checkin", meeting_id=meeting.id))


@bp.get("/<int:meeting_id>/attendance.<any(csv, xlsx):file_format>")
@roles_required(*STAFF_ROLES)
def export_attendance(meeting_id, file_format):
    meeting = db.get_or_404(Meeting, meeting_id)
    rows = attendance.export_rows(meeting)
    columns = ("company", "cvr", "person", "email", "status", "walk_in", "checked_in_at")
    values = [[row[column] for column in columns] for row in rows]
    if file_format == "xlsx":
        data = table_xlsx(columns, values, _("Fremmøde"))
    else:
        data = table_csv(columns, values)
    return as_download(data, XLSX if file_format == "xlsx" else CSV, f"fremmoede-{meeting.id}.{file_format}")

