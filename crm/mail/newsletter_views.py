"""Writing and sending a newsletter; the public unsubscribe page."""

import secrets
from types import SimpleNamespace

from flask import flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.companies.forms import ROLE_LABELS, STATUS_LABELS
from crm.companies.search import CompanyFilters, all_tags
from crm.extensions import csrf, db
from crm.mail import confirmation, newsletters
from crm.mail.blueprint import bp, public_bp
from crm.mail.confirmation import Audience
from crm.mail.forms import NewsletterForm
from crm.mail.models import Newsletter
from crm.mail.services import queued_for, render_mail
from crm.security import STAFF_ROLES, public, roles_required


@bp.route("/newsletter", methods=["GET", "POST"])
@roles_required(*STAFF_ROLES)
def newsletter():
    form = NewsletterForm()
    filters = CompanyFilters.from_args(request.values)
    if request.method == "GET":
        form.form_key.data = secrets.token_urlsafe(24)
    recipients = newsletters.consenting_contacts(filters)
    if request.form.get("action") == "send" and form.validate_on_submit():
        if not recipients:
            flash(_("Ingen kontaktpersoner i udvalget har sagt ja til nyhedsbrevet."), "error")
        elif not confirmation.confirming():
            return _confirm(form, recipients)
        else:
            return _send(form, filters)
    return render_template("mail/newsletter_form.html", form=form, filters=filters, recipients=recipients,
                           tags=all_tags(), roles=ROLE_LABELS, statuses=STATUS_LABELS), (
        422 if form.errors else 200)


def _confirm(form, recipients):
    """Who gets the newsletter and how it reads, before anything is sent."""
    by_company = {}
    for contact in recipients:
        by_company.setdefault(contact.company_id, (contact.company, []))[1].append(contact)
    preview = render_mail("newsletter", newsletter=SimpleNamespace(subject=form.subject.data, body=form.body.data),
                          contact=confirmation.example_contact(), unsubscribe="#")[0]
    return confirmation.ask(title=_("Nyhedsbrev: %(subject)s", subject=form.subject.data),
                            audience=Audience.of(by_company.values()), preview=preview, subject=form.subject.data,
                            button=_("Send nyhedsbrevet"), back=url_for(".newsletter"))


def _send(form, filters):
    mass, first_click = confirmation.start("newsletter", None, _("Nyhedsbrev: %(subject)s", subject=form.subject.data),
                                           back=url_for(".newsletter"), by=current_user)
    if not first_click:
        return confirmation.already_started(mass)
    with queued_for(mass):
        sent, new, skipped = newsletters.send_newsletter(
            form.subject.data, form.body.data, filters, form_key=form.form_key.data or secrets.token_urlsafe(24),
            by=current_user)
    mass.object_type, mass.object_id = Newsletter.__tablename__, sent.id
    confirmation.finish(mass, sent.recipients if new else 0, skipped)
    db.session.commit()
    if new:
        flash(_("Nyhedsbrevet er lagt i udbakken til %(n)d modtagere.", n=sent.recipients), "success")
    else:
        flash(_("Nyhedsbrevet var allerede sendt; det er ikke sendt igen."), "info")
    if skipped:
        flash(_("Disse kontaktpersoner kunne ikke få nyhedsbrevet, fordi navnet eller e-mailen ikke kan "
                "stå i en mail: %(names)s. Ret dem på virksomhedens side.",
                names=", ".join(f"{contact.company.name}: {contact.email}" for contact in skipped)), "warning")
    return confirmation.delivery_page(mass)


@public_bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@public
@csrf.exempt  # one-click unsubscribe (RFC 8058) posts from the mail program, with no form and no cookies
def unsubscribe(token):
    contact = newsletters.contact_for_token(token)
    if contact is None:
        return render_template("mail/unsubscribe.html", invalid=True), 404
    if request.method == "POST":
        newsletters.unsubscribe(contact)
        db.session.commit()
        return render_template("mail/unsubscribe.html", done=True, contact=contact)
    return render_template("mail/unsubscribe.html", contact=contact, token=token)
