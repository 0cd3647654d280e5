"""The mails the working groups send."""

from crm.mail.services import render_mail


def queue_group_message(batch, group, membership, contact, subject, body):
    """Add a message from the group to one member's contact to the batch, as service mail; False when the batch
    refused it (a name or address that cannot stand in a mail, see OutboxBatch.refused)."""
    text, html = render_mail("group_message", group=group, contact=contact, body=body)
    return batch.add(to_address=contact.email, to_name=contact.name, subject=subject, body_text=text,
                     body_html=html, company=membership.company, concerns=group)
