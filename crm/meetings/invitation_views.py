"""Inviting, sending, cancelling, reminding; the public answer page; the meeting's calendar file."""

from datetime import UTC, datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from crm import ics
from crm.audit.access import record_access
from crm.audit.access_models import AccessKind
from crm.companies.forms import ROLE_LABELS, STATUS_LABELS
from crm.companies.models import Company
from crm.companies.search import CompanyFilters, all_tags, company_statement
from crm.companies.services import meeting_mail_contacts
from crm.downloads import CSV, XLSX, as_download, table_csv, table_xlsx
from crm.extensions import db
from crm.forms import errors_text
from crm.groups.models import GroupMembership, WorkingGroup
from crm.mail import confirmation
from crm.mail.confirmation import Audience
from crm.mail.delivery import DELIVERY_LABELS, NOTHING, delivery_states, latest_mailing
from crm.mail.services import queued_for, refused_summary, render_mail
from crm.meetings import answers, calendar_feed, invitations, notifications, services
from crm.meetings.blueprint import bp, public_bp
from crm.meetings.forms import RSVP_LABELS, AnswerForm, CalendarFeedForm, InviteForm, RemindForm
from crm.meetings.models import Invitation, Meeting, MeetingStatus, Rsvp
from crm.security import STAFF_ROLES, Role, public, roles_required


def _chosen_companies(form):
    """The companies the invite form chose (the form is valid), and an error text if there are none to choose."""
    source = form.source.data
    if source == "all":
        return invitations.network_companies(), None
    if source == "group":
        group = db.session.get(WorkingGroup, form.group.data)
        if group is None:
            return [], _("Vælg en arbejdsgruppe.")
        return db.session.scalars(select(Company).join(GroupMembership).where(
            GroupMembership.group_id == group.id, GroupMembership.left_on.is_(None))).all(), None
    if source == "filter":  # the company list's search; the working group chosen above is not part of it
        filters = CompanyFilters(q=form.q.data.strip(), role=form.role.data, status=form.status.data,
                                 tag=form.tag.data.strip().lower())
        return db.session.scalars(company_statement(filters)).all(), None
    numbers, _refused = form.cvr_numbers()
    return db.session.scalars(select(Company).where(Company.cvr.in_(numbers))).all(), None


def _commit_or_already_sent(meeting, mailing):
    """Commit; on SQLite a second click waiting for the first one's lock gets told it was sent. The contacts the
    mailing had to leave out are named."""
    try:
        db.session.commit()
    except OperationalError:
        db.session.rollback()
        flash(_("Invitationerne er ved at blive sendt fra et andet vindue."), "info")
        return False
    if mailing.refused:
        flash(refused_summary(mailing.refused), "warning")
    return True


REFUSALS = {"nobody": _l("Ingen virksomheder matcher valget."),
            "past": _l("Mødet er allerede begyndt; der kan ikke inviteres til det."),
            "cancelled": _l("Mødet er aflyst; der kan ikke inviteres til det.")}
BUTTONS = {"invite": _l("Inviter og send"), "update": _l("Send den nye udgave"),
           "cancel": _l("Aflys mødet og send besked"), "reminder": _l("Send påmindelsen")}


def _kind(meeting, purpose):
    """The mail a mailing of the purpose sends: an invitation, an update, a cancellation or a reminder."""
    if purpose == "send":
        return "update" if meeting.sequence else "invite"
    return purpose


def _ask(meeting, purpose, back, *, companies=(), only=None):
    """The confirmation of a mailing about the meeting: who gets which mail, before anything is sent."""
    kind = _kind(meeting, purpose)
    audience = Audience.of(invitations.recipients(meeting, purpose, only=only, companies=companies))
    notes = [_("%(n)d virksomheder inviteres nu.", n=len({company.id for company in companies}
                                                        - invitations.invited_ids(meeting)))] if companies else []
    return confirmation.ask(title=_mailing_title(meeting, kind), audience=audience, preview=_preview(meeting, kind),
                            subject=_mailing_title(meeting, kind), button=BUTTONS[kind], back=back, notes=notes)


def _mailing_title(meeting, kind):
    return f"{notifications.SUBJECTS[kind]}: {meeting.title}"


def _start(meeting, purpose):
    """The mass mailing of a confirmed mailing about the meeting: (MassMailing, new?)."""
    kind = _kind(meeting, purpose)
    return confirmation.start(kind, meeting, _mailing_title(meeting, kind),
                              back=url_for("meetings.invitation_list", meeting_id=meeting.id), by=current_user)


@bp.route("/<int:meeting_id>/invite", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def invite(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    groups = db.session.execute(select(WorkingGroup.id, WorkingGroup.name).where(WorkingGroup.active)
                                .order_by(WorkingGroup.name)).all()
    form = InviteForm()
    if not form.is_submitted() and request.args.get("cvrs"):  # a list from elsewhere (the reports' funnel)
        form.source.data, form.cvrs.data = "cvrs", request.args.get("cvrs", "")[:20_000]
    error = None
    if form.validate_on_submit():
        companies, error = _chosen_companies(form)
        if error is None:
            try:
                invitations.check_open(meeting)
                if not companies:
                    raise invitations.InvitationRefused("nobody")
                if not confirmation.confirming():
                    return _ask(meeting, "send", url_for(".invite", meeting_id=meeting.id), companies=companies)
                mass, first_click = _start(meeting, "send")
                if not first_click:
                    return confirmation.already_started(mass)
                with queued_for(mass):
                    new = invitations.invite(meeting, companies, by=current_user)
                    mailing = invitations.send_invitations(meeting, by=current_user)
            except invitations.InvitationRefused as refused:
                db.session.rollback()
                error = str(REFUSALS[str(refused)])
            else:
                confirmation.finish(mass, mailing.queued, mailing.refused)
                if _commit_or_already_sent(meeting, mailing):
                    flash(_("%(new)d virksomheder inviteret; %(sent)d mails lagt i udbakken.", new=len(new),
                            sent=mailing.queued), "success")
                    return confirmation.delivery_page(mass)
                return redirect(url_for("meetings.invitation_list", meeting_id=meeting.id))
    preview = _preview(meeting, _kind(meeting, "send"))
    return render_template("meetings/invite.html", meeting=meeting, groups=groups, error=error, form=form,
                           preview=preview, roles=ROLE_LABELS, statuses=STATUS_LABELS, tags=all_tags()), (
        422 if form.is_submitted() else 200)


def _preview(meeting, kind):
    """The mail of the kind as an invitee would read it, with an example name."""
    links = {answer: "#" for answer in ("yes", "no", "maybe")}
    return render_mail("meeting_invitation", meeting=meeting, contact=confirmation.example_contact(), links=links,
                       rsvp_page="#", purpose=kind, when=notifications.meeting_time(meeting))[0]


@bp.get("/<int:meeting_id>/invitations")
@roles_required(*STAFF_ROLES)
def invitation_list(meeting_id):
    """Who answered: the summary per answer, the list (filtered by answer), reminders and the mails' state."""
    meeting = db.get_or_404(Meeting, meeting_id)
    rows = invitations.invitations_of(meeting)
    answer = answers.answer_filter(request.args.get("svar"))
    pending = sum(1 for row in rows if row.sent_sequence is None or row.sent_sequence < meeting.sequence)
    chosen = answers.chosen(rows, answer)
    if shown := [row.company.primary_contact for row in chosen if row.company.primary_contact]:
        record_access(AccessKind.SEARCH, contacts=shown)
    return render_template("meetings/invitations.html", meeting=meeting, invitations=chosen,
                           summary=answers.summary(rows), answer=answer, answer_names=answers.ANSWER_NAMES,
                           filters=answers.ANSWER_FILTERS, to_remind=len(answers.to_remind(rows)),
                           pending=pending, labels=RSVP_LABELS, delivery=_delivery(meeting), nothing=NOTHING,
                           delivery_labels={state: str(label) for state, label in DELIVERY_LABELS.items()},
                           latest=latest_mailing(meeting, excluding=("minutes",)))


def _mass_action(meeting, purpose, back, run, refusal, done, *, only=None, check=invitations.check_open):
    """A mailing about the meeting from a button: the confirmation first (if check() lets it), then run() once,
    then its delivery."""
    if not confirmation.confirming():
        try:
            check(meeting)
        except (invitations.InvitationRefused, services.MeetingRefused):
            flash(refusal, "error")
            return redirect(back)
        return _ask(meeting, purpose, back, only=only)
    mass, first_click = _start(meeting, purpose)
    if not first_click:
        return confirmation.already_started(mass)
    try:
        with queued_for(mass):
            mailing = run()
    except (invitations.InvitationRefused, services.MeetingRefused):
        db.session.rollback()
        flash(refusal, "error")
        return redirect(back)
    confirmation.finish(mass, mailing.queued, mailing.refused)
    if _commit_or_already_sent(meeting, mailing):
        flash(done % {"n": mailing.queued}, "success")
        return confirmation.delivery_page(mass)
    return redirect(back)


def _delivery(meeting):
    """{company id: DeliveryState}: where each company's mails about the meeting stand in the outbox, in one query
    for the whole list."""
    delivery = delivery_states(Meeting.__tablename__, [meeting.id], per_company=True, excluding=("minutes",))
    return {company_id: state for (_meeting, company_id), state in delivery.items()}


@bp.get("/<int:meeting_id>/invitations.<any(csv, xlsx):file_format>")
@roles_required(*STAFF_ROLES)
def export_invitations(meeting_id, file_format):
    """The invitation list (as filtered) for a spreadsheet: Danish columns, CSV with `;` and BOM, or XLSX."""
    meeting = db.get_or_404(Meeting, meeting_id)
    answer = answers.answer_filter(request.args.get("svar"))
    rows = answers.chosen(invitations.invitations_of(meeting), answer)
    columns, table = answers.export_table(rows, _delivery(meeting))
    record_access(AccessKind.EXPORT, company_ids=[row.company_id for row in rows],
                  contacts=[contact for row in rows for contact in meeting_mail_contacts(row.company)])
    if file_format == "xlsx":
        data = table_xlsx(columns, table, _("Inviterede"))
    else:
        data = table_csv(columns, table)
    name = f"inviterede-{meeting.id}{'-' + answer if answer else ''}.{file_format}"
    return as_download(data, XLSX if file_format == "xlsx" else CSV, name)


@bp.post("/<int:meeting_id>/send")
@roles_required(*STAFF_ROLES)
def send(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    return _mass_action(meeting, "send", url_for("meetings.invitation_list", meeting_id=meeting.id),
                        lambda: invitations.send_invitations(meeting, by=current_user),
                        _("Mødet er begyndt eller aflyst; der sendes ikke flere invitationer."),
                        _("%(n)d mails lagt i udbakken."))


def _check_cancellable(meeting):
    if meeting.status != MeetingStatus.PLANNED:
        raise services.MeetingRefused("not planned")


def _cancel_and_tell(meeting):
    services.cancel_meeting(meeting, by=current_user)
    return invitations.send_invitations(meeting, by=current_user)


@bp.post("/<int:meeting_id>/cancel")
@roles_required(*STAFF_ROLES)
def cancel(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    return _mass_action(meeting, "cancel", url_for("meetings.show", meeting_id=meeting.id),
                        lambda: _cancel_and_tell(meeting), _("Kun planlagte møder kan aflyses."),
                        _("Mødet er aflyst, og %(n)d inviterede får besked."), check=_check_cancellable)


@bp.post("/<int:meeting_id>/remind")
@roles_required(*STAFF_ROLES)
def remind(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    form = RemindForm()
    back = url_for("meetings.invitation_list", meeting_id=meeting.id)
    if not form.validate_on_submit():
        flash(errors_text(form), "error")
        return redirect(back)
    only = form.invitation.data or None
    return _mass_action(meeting, "reminder", back,
                        lambda: invitations.remind(meeting, only, by=current_user),
                        _("Mødet er begyndt eller aflyst; der sendes ikke påmindelser."),
                        _("Påmindelser i udbakken til dem, der ikke har svaret: %(n)d."), only=only)


@bp.post("/<int:meeting_id>/invitations/<int:invitation_id>/rsvp")
@roles_required(*STAFF_ROLES)
def record_answer(meeting_id, invitation_id):
    invitation = db.session.scalars(select(Invitation).where(
        Invitation.id == invitation_id, Invitation.meeting_id == meeting_id)).first() or abort(404)
    form = AnswerForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        invitations.answer(invitation, form.rsvp.data, by_whom=current_user.email)
    except invitations.InvitationRefused:
        flash(_("Mødet er begyndt eller aflyst; svaret kan ikke ændres."), "error")
    else:
        db.session.commit()
        flash(_("Svaret fra %(name)s er noteret.", name=invitation.company.name), "success")
    return redirect(url_for("meetings.invitation_list", meeting_id=meeting_id))


@bp.get("/<int:meeting_id>.ics")
@roles_required(*STAFF_ROLES)
def calendar_file(meeting_id):
    meeting = db.get_or_404(Meeting, meeting_id)
    data = ics.feed([invitations.calendar_event(meeting)], meeting.title)
    return Response(data, mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="moede-{meeting.id}.ics"'})


@public_bp.route("/rsvp/<token>", methods=["GET", "POST"])
@public
def rsvp(token):
    invitation = invitations.invitation_for_token(token)
    if invitation is None:
        return render_template("meetings/rsvp.html", invalid=True), 404
    meeting = invitation.meeting
    closed = meeting.status != MeetingStatus.PLANNED or meeting.starts_at <= datetime.now(UTC)
    if request.method == "POST" and not closed:
        form = AnswerForm()
        if not form.validate_on_submit():
            abort(400)
        invitations.answer(invitation, form.rsvp.data)
        db.session.commit()
        return render_template("meetings/rsvp.html", invitation=invitation, meeting=meeting, saved=True,
                               labels=RSVP_LABELS, token=token)
    chosen = request.args.get("svar") if request.args.get("svar") in set(Rsvp) else None
    status = 410 if closed and request.method == "POST" else 200
    return render_template("meetings/rsvp.html", invitation=invitation, meeting=meeting, closed=closed,
                           chosen=chosen, labels=RSVP_LABELS, token=token), status


@bp.route("/calendar", methods=["GET", "POST"])
@roles_required(*Role)
def calendar_settings():
    token = None
    form = CalendarFeedForm()
    if form.is_submitted():
        if not form.validate():
            abort(400)
        if form.action.data == "revoke":
            calendar_feed.revoke_feed(current_user)
            flash(_("Kalenderadressen virker ikke længere."), "success")
        else:
            token = calendar_feed.create_feed(current_user)
        db.session.commit()
    address = url_for("meetings_public.calendar_feed_file", token=token, _external=True) if token else None
    return render_template("meetings/calendar.html", address=address, active=calendar_feed.has_feed(current_user))


@public_bp.get("/calendar/<token>.ics")
@public
def calendar_feed_file(token):
    data = calendar_feed.feed_for_token(token)
    if data is None:
        abort(404)
    return Response(data, mimetype="text/calendar")
