"""Staff pages of meetings: lists, planning, the meeting page, agenda."""

from datetime import UTC, datetime

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select

from crm.extensions import db
from crm.groups.models import WorkingGroup
from crm.http import whole_number
from crm.i18n import LOCAL
from crm.meetings import attendance, services
from crm.meetings.blueprint import bp
from crm.meetings.forms import KIND_LABELS, AgendaItemForm, MeetingForm, NewMeetingForm, NextMeetingForm
from crm.meetings.models import AttendanceStatus, Invitation, Meeting, MeetingKind, MeetingStatus, Rsvp
from crm.security import STAFF_ROLES, roles_required

STATUS_LABELS = {MeetingStatus.PLANNED: _l("Planlagt"), MeetingStatus.HELD: _l("Afholdt"),
                 MeetingStatus.CANCELLED: _l("Aflyst")}


@bp.app_template_global()
def meeting_kind_label(kind):
    return KIND_LABELS.get(kind, kind)


ATTENDANCE_LABELS = {AttendanceStatus.PRESENT: _l("Til stede"), AttendanceStatus.EXCUSED: _l("Afbud"),
                     AttendanceStatus.NO_SHOW: _l("Udeblev")}
RSVP_LABELS = {Rsvp.YES: _l("ja"), Rsvp.NO: _l("nej"), Rsvp.MAYBE: _l("måske")}


@bp.app_template_global()
def meeting_status_label(status):
    return STATUS_LABELS.get(status, status)


@bp.app_template_global()
def attendance_status_label(status):
    return ATTENDANCE_LABELS.get(status, status)


@bp.app_template_global()
def checkin_labels():
    """The check-in buttons and states, translated once for a page of hundreds of people."""
    return {"status": _translated(ATTENDANCE_LABELS), "walk_in": _("uanmeldt")}


@bp.app_template_global()
def rsvp_label(rsvp):
    return RSVP_LABELS.get(rsvp, rsvp)



def _group_choices(form):
    groups = db.session.execute(select(WorkingGroup.id, WorkingGroup.name).where(WorkingGroup.active)
                                .order_by(WorkingGroup.name)).all()
    form.group_id.choices = [("", _("Ingen"))] + [(str(group_id), name) for group_id, name in groups]


def _values(form):
    starts_at = services.local_to_utc(form.day.data, form.start.data)
    ends_at = services.local_to_utc(form.day.data, form.end.data)
    return {"title": form.title.data.strip(), "kind": MeetingKind(form.kind.data), "group_id": form.group_id.data,
            "series": (form.series.data or "").strip(), "starts_at": starts_at, "ends_at": ends_at,
            "place": (form.place.data or "").strip(), "online_url": (form.online_url.data or "").strip(),
            "description": (form.description.data or "").strip()}


def _archived_group(form):
    if form.group_id.data:
        group = db.session.get(WorkingGroup, form.group_id.data)
        if group is None or not group.active:
            form.group_id.errors.append(_("Gruppen er arkiveret; den kan ikke holde nye møder."))
            return True
    return False


@bp.get("/")
@roles_required(*STAFF_ROLES)
def index():
    year = request.args.get("year", type=whole_number)
    kind = request.args.get("kind") if request.args.get("kind") in set(MeetingKind) else None
    group_id = request.args.get("group", type=whole_number)
    upcoming, upcoming_counts = services.meeting_list(upcoming=True, year=year, kind=kind, group_id=group_id)
    past, past_counts = services.meeting_list(upcoming=False, year=year, kind=kind, group_id=group_id)
    groups = db.session.execute(select(WorkingGroup.id, WorkingGroup.name).order_by(WorkingGroup.name)).all()
    years = sorted({m.starts_at.astimezone(LOCAL).year for m in upcoming + past} | {datetime.now(UTC).year},
                   reverse=True)
    return render_template("meetings/index.html", upcoming=upcoming, past=past,
                           counts={**upcoming_counts, **past_counts}, year=year, kind=kind, group_id=group_id,
                           groups=groups, years=years, kinds=_translated(KIND_LABELS),
                           statuses=_translated(STATUS_LABELS))


def _translated(labels):
    """Labels translated once for a list of hundreds of rows, not once per row."""
    return {key: str(label) for key, label in labels.items()}


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def create():
    form = NewMeetingForm()
    _group_choices(form)
    if form.validate_on_submit() and not _archived_group(form):
        values = _values(form)
        if values["starts_at"] < datetime.now(UTC):
            form.day.errors.append(_("Mødet ligger i fortiden. Vælg en dato frem i tiden."))
        else:
            meeting = services.create_meeting(values, form.agenda_items(), by=current_user)
            db.session.commit()
            flash(_("Mødet er planlagt."), "success")
            return redirect(url_for(".show", meeting_id=meeting.id))
    return render_template("meetings/form.html", form=form), 422 if form.is_submitted() else 200


@bp.get("/<int:meeting_id>")
@roles_required(*STAFF_ROLES)
def show(meeting_id):
    return _meeting_page(db.get_or_404(Meeting, meeting_id))


def _meeting_page(meeting, *, agenda_form=None, next_form=None):
    """The meeting page; a refused agenda item or next date is shown again as typed, with 422."""
    answers = dict(db.session.execute(
        select(Invitation.rsvp, func.count()).where(Invitation.meeting_id == meeting.id).group_by(Invitation.rsvp)
    ).all())
    refused = agenda_form is not None or next_form is not None
    return render_template(
        "meetings/show.html", meeting=meeting, answers=answers, invited=sum(answers.values()), Rsvp=Rsvp,
        present=attendance.present_counts(meeting), follow_ups=services.open_action_items(meeting),
        agenda_form=agenda_form or AgendaItemForm(formdata=None), next_form=next_form or NextMeetingForm(formdata=None),
    ), 422 if refused else 200


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def edit(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    if meeting.status == MeetingStatus.CANCELLED:
        flash(_("Mødet er aflyst og kan ikke ændres."), "error")
        return redirect(url_for(".show", meeting_id=meeting.id))
    form = MeetingForm(obj=meeting)
    _group_choices(form)
    if request.method == "GET":
        local_start, local_end = meeting.starts_at.astimezone(LOCAL), meeting.ends_at.astimezone(LOCAL)
        form.day.data, form.start.data, form.end.data = local_start.date(), local_start.time(), local_end.time()
        form.group_id.data = meeting.group_id
    if form.validate_on_submit() and not _archived_group(form):
        moved = services.update_meeting(meeting, _values(form), by=current_user)
        db.session.commit()
        if moved:
            flash(_("Tid eller sted er ændret. Send en opdatering til de inviterede."), "warning")
        else:
            flash(_("Mødet er gemt."), "success")
        return redirect(url_for(".show", meeting_id=meeting.id))
    return render_template("meetings/form.html", form=form, meeting=meeting), 422 if form.is_submitted() else 200


@bp.post("/<int:meeting_id>/agenda")
@roles_required(*STAFF_ROLES)
def add_agenda_item(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = AgendaItemForm()
    if not form.validate_on_submit():
        return _meeting_page(meeting, agenda_form=form)
    services.add_agenda_item(meeting, form.title.data.strip(), (form.presenter.data or "").strip(),
                             form.minutes_allotted.data)
    db.session.commit()
    flash(_("Punktet er tilføjet dagsordenen."), "success")
    return redirect(url_for(".show", meeting_id=meeting.id, _anchor="dagsorden"))


@bp.post("/<int:meeting_id>/next")
@roles_required(*STAFF_ROLES)
def plan_next(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = NextMeetingForm()
    if not form.validate_on_submit():
        return _meeting_page(meeting, next_form=form)
    clock = form.start.data or meeting.starts_at.astimezone(LOCAL).time()
    starts_at = services.local_to_utc(form.day.data, clock.replace(tzinfo=None))
    if starts_at <= datetime.now(UTC):
        form.day.errors.append(_("Mødet ligger i fortiden. Vælg en dato frem i tiden."))
        return _meeting_page(meeting, next_form=form)
    following = services.plan_next(meeting, form.next_title.data.strip(), starts_at, by=current_user)
    db.session.commit()
    flash(_("Næste møde er planlagt med samme dagsorden, sted og inviterede. Invitationerne er ikke sendt endnu, og "
            "mødet ses ikke i portalen, før de er sendt: send dem fra listen over inviterede."), "success")
    return redirect(url_for(".show", meeting_id=following.id))

