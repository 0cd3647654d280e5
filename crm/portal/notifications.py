"""The mails the portal sends."""

from flask import current_app
from flask_babel import gettext as _

from crm.mail.services import queue_email, render_mail


def notify_portal_invitation(user, contact, token, days, invited_by):
    """Mail a contact the one-time link that opens the portal."""
    link = f"{current_app.config['BASE_URL']}/portal/invitation/{token}"
    inviter = invited_by.name or invited_by.email
    text, html = render_mail("portal_invitation", contact=contact, link=link, days=days, inviter=inviter,
                             company=contact.company)
    return queue_email(
        to_address=user.email, to_name=contact.name, subject=_("Invitation til netværkets portal"),
        body_text=text, body_html=html, company=contact.company, concerns=user,
    )
