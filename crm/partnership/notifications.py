"""The mails of the partnership: the confirmation of a sign-up, an accepted version or a notice, with the agreement
(and what was signed) as a PDF made when the mail is sent."""

from flask_babel import lazy_gettext as _l

from crm.mail.attachments import Generated
from crm.mail.services import queue_email, render_mail

SUBJECTS = {
    "sign_up": _l("Velkommen i partnerskabet: %(company)s er meldt ind"),
    "acceptance": _l("Bekræftelse: %(company)s har accepteret partnerskabsaftalen"),
    "notice": _l("Bekræftelse: %(company)s har meldt sig ud af partnerskabet"),
}


def notify_signed(signature, user):
    """Mail the signer a confirmation of what was signed, with the agreement and the signature as PDF."""
    company = signature.company
    text, html = render_mail("partnership_signed", signature=signature, company=company)
    return queue_email(
        to_address=user.email, to_name=signature.signer_name,
        subject=str(SUBJECTS[str(signature.kind)]) % {"company": company.name}, body_text=text, body_html=html,
        company=company, concerns=signature,
        attachments=[(f"partnerskabsaftale-{company.cvr}.pdf", "application/pdf",
                      Generated("partnership_signature_pdf", signature.id))])
