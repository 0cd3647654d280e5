"""The mails the auth area sends."""

from flask import current_app
from flask_babel import gettext as _

from crm.mail.services import queue_email, render_mail


def notify_password_reset(user, token, hours):
    """Mail the user a link to choose a new password."""
    link = f"{current_app.config['BASE_URL']}/password/reset/{token}"
    text, html = render_mail("password_reset", user=user, link=link, hours=hours)
    queue_email(
        to_address=user.email, to_name=user.name, subject=_("Nulstil din adgangskode til Holme CRM"),
        body_text=text, body_html=html, company=user.company, concerns=user,
    )


def notify_two_factor_reset(user, by):
    """Tell the user an admin turned their two-factor login off, and how to turn it on again."""
    link = f"{current_app.config['BASE_URL']}/account/two-factor"
    text, html = render_mail("two_factor_reset", user=user, by=by, link=link)
    queue_email(
        to_address=user.email, to_name=user.name, subject=_("Din tofaktor-login til Holme CRM er nulstillet"),
        body_text=text, body_html=html, company=user.company, concerns=user,
    )
