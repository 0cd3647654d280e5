"""The mails the joining area sends. Nothing is mailed when a request arrives: the form must not become a way
to send mail to any address."""

from flask_babel import gettext as _

from crm.mail.services import queue_email, render_mail


def notify_join_declined(row):
    """Tell the person who asked that the network said no, and why."""
    text, html = render_mail("join_declined", row=row)
    return queue_email(to_address=row.contact_email, to_name=row.contact_name,
                       subject=_("Din anmodning om at blive en del af Avedøre Holme Erhvervsnetværk"),
                       body_text=text, body_html=html, concerns=row)
