"""The partnership's part of what happens elsewhere: the staff home page and company page, a merge of companies or
contact persons, a person's erasure and the data ZIP."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from crm.extensions import db
from crm.merging import repoint
from crm.partnership import services
from crm.partnership.models import Signature, SignatureKind
from crm.signals import (
    ExportPart,
    Panel,
    company_export_parts,
    company_merged,
    company_page_panels,
    contact_erased,
    contacts_merged,
    declare,
    handles,
    staff_home_panels,
)

#: How far back the home panel shows sign-ups.
HOME_DAYS = 30


@staff_home_panels.connect
def _home_panel(user):
    """New sign-ups in the portal and the members under notice, on the staff home page."""
    since = services.today() - timedelta(days=HOME_DAYS)
    return Panel("partnership/_home_panel.html", {
        "sign_ups": services.recent(SignatureKind.SIGN_UP, since, limit=10), "days": HOME_DAYS,
        "pending": services.pending_notices()}, order=20)


@company_page_panels.connect
def _company_panel(company):
    """What the company signed in the portal (sign-up, new versions, notice), on the staff company page."""
    signatures = services.signatures(company)
    return Panel("partnership/_company_panel.html", {"signatures": signatures}, order=45) if signatures else None


@handles(company_merged, "partnership_signatures.company_id")
def _move_signatures(survivor, duplicate):
    """The duplicate's signatures are the survivor's: its history of joining and leaving."""
    return {"partnership_signatures": repoint(Signature.company_id, duplicate.id, survivor.id)}


@handles(contacts_merged, "partnership_signatures.contact_id")
def _move_signer(survivor, duplicate):
    repoint(Signature.contact_id, duplicate.id, survivor.id)


@handles(contact_erased, "partnership_signatures.contact_id")
def _erase_signer(contact, **_kwargs):
    """The signature stays (the company signed); the person's name is replaced by the anonymised contact's."""
    db.session.execute(update(Signature).where(Signature.contact_id == contact.id)
                       .values(signer_name=contact.name).execution_options(synchronize_session=False))


declare(contact_erased, "partnership_signatures.company_id", "a signature names the company; its signer is "
        "anonymised by partnership_signatures.contact_id")

SIGNATURE_COLUMNS = {"kind": _l("Art"), "signed_at": _l("Underskrevet"), "signer": _l("Underskrevet af"),
                     "agreement": _l("Aftale"), "starts_on": _l("Medlem fra"), "ends_on": _l("Medlem til"),
                     "year": _l("År"), "net_ore": _l("Bidrag uden moms (øre)"), "vat_ore": _l("Moms (øre)")}
KIND_LABELS = {SignatureKind.SIGN_UP: _l("Indmeldelse"), SignatureKind.ACCEPTANCE: _l("Ny version accepteret"),
               SignatureKind.NOTICE: _l("Udmeldelse")}


@handles(company_export_parts, "partnership_signatures.company_id", "partnership_signatures.contact_id")
def _signature_part(company):
    """What the company signed for the partnership, with the amount shown at sign-up."""
    rows = db.session.scalars(select(Signature).where(Signature.company_id == company.id)
                              .order_by(Signature.signed_at, Signature.id)).all()
    return ExportPart("partnership", SIGNATURE_COLUMNS, [
        {"kind": row.kind, "signed_at": row.signed_at, "signer": row.signer_name, "agreement": row.agreement.title,
         "starts_on": row.starts_on, "ends_on": row.ends_on, "year": row.year, "net_ore": row.net_ore,
         "vat_ore": row.vat_ore} for row in rows], order=55, values={"kind": KIND_LABELS})
