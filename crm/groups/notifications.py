"""The mails the working groups send."""

from crm.mail.services import queue_email, render_mail


def notify_group_message(group, membership, contact, subject, body):
    """Mail one member's contact a message from the group, as service mail."""
    text, html = render_mail("group_message", group=group, contact=contact, body=body)
    return queue_email(to_address=contact.email, to_name=contact.name, subject=subject, body_text=text,
                       body_html=html, company=membership.company, concerns=group)
