"""The outbox page: what was sent, what waits, what failed."""

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from crm.audit.access import record_access
from crm.audit.access_models import AccessKind
from crm.audit.services import record
from crm.companies.models import Company
from crm.extensions import db
from crm.http import DB_INT_MAX, whole_number
from crm.i18n import local_day
from crm.mail import services
from crm.mail.blueprint import bp
from crm.mail.delivery import mass_mailing_counts
from crm.mail.models import EmailStatus, MassMailing, OutboundEmail
from crm.security import STAFF_ROLES, roles_required

PER_PAGE = 50
#: How many of the latest mass mailings the outbox names, each with its delivery.
RECENT_MAILINGS = 5
#: A filter text longer than this matches no stored address or subject (and SQLite refuses very long patterns).
FILTER_CHARS = 320

#: The HTML body is shown in a sandboxed frame: its own styles, no scripts, nothing fetched.
PREVIEW_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox"


@bp.get("/")
@roles_required(*STAFF_ROLES)
def index():
    filters = {key: request.args.get(key, "").strip()[:FILTER_CHARS]
               for key in ("status", "q", "company", "from", "to")}
    statement = select(OutboundEmail).options(joinedload(OutboundEmail.company)).order_by(
        OutboundEmail.created_at.desc(), OutboundEmail.id.desc())
    if filters["status"] in set(EmailStatus):
        statement = statement.where(OutboundEmail.status == EmailStatus(filters["status"]))
    if filters["q"]:
        statement = statement.where(OutboundEmail.to_address.contains(filters["q"].lower(), autoescape=True)
                                    | OutboundEmail.subject.contains(filters["q"], autoescape=True))
    if filters["company"]:
        statement = statement.where(OutboundEmail.company_id.in_(
            select(Company.id).where(Company.search_text.contains(filters["company"].lower(), autoescape=True))))
    if start := local_day(filters["from"]):
        statement = statement.where(OutboundEmail.created_at >= start)
    if end := local_day(filters["to"], end=True):
        statement = statement.where(OutboundEmail.created_at <= end)
    mailing_id = request.args.get("mailing", type=whole_number)
    mailing = db.session.get(MassMailing, mailing_id) if mailing_id and mailing_id <= DB_INT_MAX else None
    if mailing is not None:
        statement = statement.where(OutboundEmail.mass_mailing_id == mailing.id)
    page_number = min(max(request.args.get("page", 1, type=whole_number), 1), DB_INT_MAX // PER_PAGE)
    page = db.paginate(statement, page=page_number, per_page=PER_PAGE, error_out=False)
    if page.page > page.pages > 0:  # past the end: the last page
        page = db.paginate(statement, page=page.pages, per_page=PER_PAGE, error_out=False)
    if page.items:  # the recipients' addresses and names
        record_access(AccessKind.SEARCH, contacts=services.recipient_contacts(page.items),
                      company_ids=[email.company_id for email in page.items])
    recent = db.session.scalars(select(MassMailing).order_by(MassMailing.created_at.desc(), MassMailing.id.desc())
                                .limit(RECENT_MAILINGS)).all()
    return render_template("mail/outbox.html", page=page, filters=filters, statuses=list(EmailStatus),
                           mailing=mailing, recent=recent, counts=mass_mailing_counts([m.id for m in recent]))


def _record_body_read(email):
    record_access(AccessKind.OUTBOX_BODY, contacts=services.recipient_contacts([email]),
                  company_ids=[email.company_id])


@bp.get("/<int:email_id>")
@roles_required(*STAFF_ROLES)
def show(email_id):
    email = db.get_or_404(OutboundEmail, email_id)
    _record_body_read(email)
    return render_template("mail/show.html", email=email, to=services.formatted_recipient(email))


@bp.get("/<int:email_id>/html")
@roles_required(*STAFF_ROLES)
def html_body(email_id):
    email = db.get_or_404(OutboundEmail, email_id)
    if not email.body_html:
        abort(404)
    _record_body_read(email)
    response = make_response(email.body_html)
    response.headers["Content-Security-Policy"] = PREVIEW_CSP
    response.headers["Content-Type"] = "text/html; charset=utf-8"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.post("/<int:email_id>/retry")
@roles_required(*STAFF_ROLES)
def retry(email_id):
    email = db.get_or_404(OutboundEmail, email_id)
    if services.retry_email(email):
        record("mail.retry", obj=email)
        db.session.commit()
        flash(_("Mailen er sat i kø igen."), "success")
    else:
        flash(_("Kun fejlede eller annullerede mails kan sendes igen."), "warning")
    return redirect(url_for(".show", email_id=email.id))


@bp.post("/<int:email_id>/cancel")
@roles_required(*STAFF_ROLES)
def cancel(email_id):
    email = db.get_or_404(OutboundEmail, email_id)
    if services.cancel_email(email):
        record("mail.cancel", obj=email)
        db.session.commit()
        flash(_("Mailen er annulleret og bliver ikke sendt."), "success")
    else:
        flash(_("Mailen er allerede sendt eller i gang med at blive sendt."), "warning")
    return redirect(url_for(".show", email_id=email.id))


STATUS_LABELS = {
    EmailStatus.QUEUED: _l("I kø"),
    EmailStatus.SENDING: _l("Sendes"),
    EmailStatus.SENT: _l("Sendt"),
    EmailStatus.FAILED: _l("Fejlet"),
    EmailStatus.CANCELLED: _l("Annulleret"),
}


@bp.app_template_global()
def email_status_label(status):
    return STATUS_LABELS.get(EmailStatus(status), status)


@bp.get("/mailings/<int:mailing_id>")
@roles_required(*STAFF_ROLES)
def mass_mailing(mailing_id):
    mass = db.get_or_404(MassMailing, mailing_id)
    return render_template("mail/mass_mailing.html", mass=mass, creator=getattr(mass.created_by, "email", None),
                           counts=mass_mailing_counts([mass.id])[mass.id])


@bp.get("/mailings/<int:mailing_id>/state")
@roles_required(*STAFF_ROLES)
def mass_mailing_state(mailing_id):
    """The delivery partial alone, for htmx polling."""
    mass = db.get_or_404(MassMailing, mailing_id)
    return render_template("mail/_mailing_state.html", mass=mass, counts=mass_mailing_counts([mass.id])[mass.id])
