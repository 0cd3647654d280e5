"""Newsletters: only to contacts who consented, each with a one-click unsubscribe link."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from crm.audit.services import record
from crm.companies.models import ActivityKind, Contact
from crm.companies.search import company_statement
from crm.companies.services import log_activity
from crm.extensions import db
from crm.mail.models import EmailKind, Newsletter
from crm.mail.services import BadHeader, queue_email, render_mail

SALT = "newsletter-unsubscribe"


def _serializer():
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(contact):
    """An opaque, signed token naming the contact; it cannot be made without the secret key."""
    return _serializer().dumps(contact.id)


def contact_for_token(token):
    """The contact a token names, or None when the token is forged or the contact is gone."""
    try:
        contact_id = _serializer().loads(token)
    except BadSignature:
        return None
    return db.session.get(Contact, contact_id) if isinstance(contact_id, int) else None


def consenting_contacts(filters):
    """Contacts with newsletter consent and an e-mail, in the companies the filters choose."""
    companies = company_statement(filters).order_by(None).subquery()
    return db.session.scalars(
        select(Contact).where(
            Contact.newsletter_consent.is_(True), Contact.email.is_not(None),
            Contact.company_id.in_(select(companies.c.id)),
        ).order_by(Contact.company_id, Contact.id)
    ).all()


def send_newsletter(subject, body, filters, *, form_key, by=None):
    """Queue the newsletter to every consenting contact; the same form key twice sends once.

    Returns (newsletter, whether it was new, the contacts skipped): a contact whose name or address cannot go
    in a mail header is skipped and named, and the others still get the newsletter.
    """
    existing = db.session.scalars(select(Newsletter).where(Newsletter.form_key == form_key)).first()
    if existing is not None:
        return existing, False, []
    contacts = consenting_contacts(filters)
    newsletter = Newsletter(subject=subject, body=body, filters=filters.as_args(), recipients=0,
                            form_key=form_key, sent_by_id=getattr(by, "id", None))
    db.session.add(newsletter)
    db.session.flush()
    base = current_app.config["BASE_URL"]
    skipped = []
    for contact in contacts:
        link = f"{base}/unsubscribe/{unsubscribe_token(contact)}"
        text, html = render_mail("newsletter", newsletter=newsletter, contact=contact, unsubscribe=link)
        try:
            queue_email(
                to_address=contact.email, to_name=contact.name, subject=subject, body_text=text, body_html=html,
                company=contact.company, concerns=newsletter, kind=EmailKind.NEWSLETTER,
                headers={"List-Unsubscribe": f"<{link}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
            )
        except BadHeader:
            skipped.append(contact)
            continue
        newsletter.recipients += 1
    record("newsletter.send", actor=by, obj=newsletter,
           changes={"recipients": newsletter.recipients, "skipped": [contact.id for contact in skipped]})
    return newsletter, True, skipped


def unsubscribe(contact):
    """Withdraw the contact's newsletter consent; repeating it changes nothing."""
    if not contact.newsletter_consent:
        return False
    contact.newsletter_consent = False
    log_activity(contact.company_id, ActivityKind.CHANGE,
                 _l("%(name)s afmeldte nyhedsbrevet via linket i en mail.", name=contact.name))
    record("contact.unsubscribe", object_type="contacts", object_id=contact.id,
           changes={"newsletter_consent": [True, False]})
    db.session.flush()
    return True
