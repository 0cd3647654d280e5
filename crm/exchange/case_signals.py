"""The green-transition cases' part of what happens to a company or a person elsewhere: the company page's panel,
a merge, an erasure and the data ZIP.

The data ZIP holds the cases in full, the staff's note too: the ZIP is "everything the CRM holds about the
company", its timeline already carries staff's notes, and a company may ask the municipality for its case anyway.
The case form says so beside the note, so staff write it for the company to read.
"""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.companies.models import Contact
from crm.exchange import case_services as services
from crm.exchange.case_forms import KIND_LABELS, OUTCOME_LABELS
from crm.exchange.case_models import CasePartner, GreenCase
from crm.extensions import db
from crm.merging import repoint, scrub_words
from crm.signals import (
    ExportPart,
    Panel,
    company_export_parts,
    company_merged,
    company_page_panels,
    contact_erased,
    contacts_merged,
    handles,
)


@company_page_panels.connect
def _company_panel(company):
    """The company's cases, newest first, with a link to log a new one."""
    return Panel("exchange/cases/_company_panel.html", {"cases": services.company_cases(company.id)}, order=35)


@handles(company_merged, "green_cases.company_id")
def _move_cases(survivor, duplicate):
    """The duplicate's cases are the survivor's: every case is kept (each is advice given)."""
    return {"green_cases": repoint(GreenCase.company_id, duplicate.id, survivor.id)}


@handles(contacts_merged, "green_cases.contact_id")
def _move_cases_of_joined_contact(survivor, duplicate):
    """The person a case is with is the surviving contact."""
    repoint(GreenCase.contact_id, duplicate.id, survivor.id)


@handles(contact_erased, "green_cases.contact_id", "green_cases.company_id")
def _forget_person_in_cases(contact, words, **_kwargs):
    """The person leaves the cases: no longer named as the case's contact, and scrubbed from staff's notes
    (whole words); the cases themselves stay, so the year's figures stay true."""
    for case in db.session.scalars(select(GreenCase).where(GreenCase.company_id == contact.company_id)):
        if case.contact_id == contact.id:
            case.contact_id = None
        if case.note and words:
            case.note = scrub_words(case.note, words)
    db.session.flush()


CASE_COLUMNS = {"kind": _l("Slags forløb"), "partner": _l("Partner"), "contact": _l("Kontaktperson"),
                "started_on": _l("Startet"), "ended_on": _l("Afsluttet"), "outcome": _l("Udfald"),
                "note": _l("Note")}


@handles(company_export_parts, "green_cases.company_id", "green_cases.contact_id")
def _case_parts(company):
    """The company's cases, oldest first, with partner, contact and staff's note (see the module's docstring)."""
    rows = db.session.execute(
        select(GreenCase.kind, CasePartner.name, Contact.name, GreenCase.started_on, GreenCase.ended_on,
               GreenCase.outcome, GreenCase.note)
        .outerjoin(CasePartner, CasePartner.id == GreenCase.partner_id)
        .outerjoin(Contact, Contact.id == GreenCase.contact_id)
        .where(GreenCase.company_id == company.id).order_by(GreenCase.started_on, GreenCase.id)).all()
    return ExportPart("advice_cases", CASE_COLUMNS, [dict(zip(CASE_COLUMNS, row, strict=True)) for row in rows],
                      order=60, values={"kind": KIND_LABELS, "outcome": OUTCOME_LABELS})
