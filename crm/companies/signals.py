"""The register's own rows in the cross-area events: the sender (crm.companies.services) moves the contacts and
tags itself; these receivers move, scrub and export the rest of the register's rows."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.companies import retention
from crm.companies.forms import ACTIVITY_LABELS, BASIS_LABELS, ROLE_LABELS, STATUS_LABELS
from crm.companies.models import Activity, Contact, Plot, Tenancy
from crm.extensions import db
from crm.merging import repoint, scrub_words, text_contains_any
from crm.signals import (
    ExportPart,
    company_export_parts,
    company_merged,
    contact_erased,
    declare,
    handles,
    retention_tasks,
)

declare(company_merged, "contacts.company_id", "crm.companies.merging moves the contacts and joins a person on both")
declare(company_merged, "company_tags.company_id", "crm.companies.merging gives the survivor both companies' tags")
declare(contact_erased, "contacts.company_id", "erase_contact anonymises the contact row itself")
declare(contact_erased, "company_tags.company_id", "a tag describes the company, never a person")
declare(contact_erased, "plots.owner_id", "a plot names its owner company, never a person")
declare(contact_erased, "tenancies.company_id", "a tenancy names a company, never a person")


@handles(company_merged, "activities.company_id", "tenancies.company_id", "plots.owner_id")
def _move_register_rows(survivor, duplicate):
    """The duplicate's timeline, tenancies and owned plots go to the survivor."""
    return {"activities": repoint(Activity.company_id, duplicate.id, survivor.id),
            "tenancies": repoint(Tenancy.company_id, duplicate.id, survivor.id),
            "plots": repoint(Plot.owner_id, duplicate.id, survivor.id)}


@handles(contact_erased, "activities.company_id")
def _scrub_timeline(contact, words, **_kwargs):
    """The person's name and e-mail leave the company's timeline, as whole words only."""
    for activity in db.session.scalars(select(Activity).where(Activity.company_id == contact.company_id,
                                                              text_contains_any(Activity.text, words))):
        activity.text = scrub_words(activity.text, words)
        if activity.message_values:
            activity.message_values = {key: scrub_words(value, words) if isinstance(value, str) else value
                                       for key, value in activity.message_values.items()}


@retention_tasks.connect
def _anonymise_persons_past_their_period(_app):
    """Persons of companies that left long ago, and persons silent for years, are anonymised."""
    return list(retention.TASKS)


COMPANY_COLUMNS = {
    "cvr": _l("CVR-nummer"), "p_number": _l("P-nummer"), "ean": _l("EAN-nummer"), "name": _l("Navn"),
    "street": _l("Adresse"), "postal_code": _l("Postnummer"), "city": _l("By"), "role": _l("Rolle"),
    "employees": _l("Ansatte"), "area_m2": _l("Grundareal (m²)"), "industry": _l("Branche"),
    "status": _l("Status"), "joined_on": _l("Medlem siden"), "left_on": _l("Udmeldt"),
    "website": _l("Hjemmeside"), "description": _l("Beskrivelse"), "directory_listed": _l("Vist i kataloget"),
    "tags": _l("Mærker"), "created_at": _l("Oprettet"),
}
CONTACT_COLUMNS = {
    "id": _l("Id"), "name": _l("Navn"), "title": _l("Titel"), "email": _l("E-mail"), "phone": _l("Telefon"),
    "is_primary": _l("Primær kontakt"), "receives_meeting_mail": _l("Får invitationer og referater"),
    "lawful_basis": _l("Behandlingsgrundlag"), "source": _l("Kilde"), "created_at": _l("Oprettet"),
}
CONSENT_COLUMNS = {
    "id": _l("Id"), "name": _l("Navn"), "newsletter_consent": _l("Samtykke til nyhedsbrev"),
    "consent_at": _l("Samtykke givet"), "consent_text_version": _l("Samtykketekstens version"),
    "consent_channel": _l("Givet via"),
}
PLOT_COLUMNS = {
    "relation": _l("Forhold"), "cadastral_number": _l("Matrikelnummer"), "address": _l("Adresse"),
    "area_m2": _l("Areal (m²)"), "from_date": _l("Fra"), "to_date": _l("Til"),
}
TIMELINE_COLUMNS = {"occurred_at": _l("Tidspunkt"), "kind": _l("Art"), "text": _l("Tekst")}
#: A plot is the company's as its owner or as a tenant.
RELATION_LABELS = {"owner": _l("Ejer"), "tenant": _l("Lejer")}


def _row(obj, columns):
    return {key: getattr(obj, key) for key in columns}


@handles(company_export_parts, "contacts.company_id", "company_tags.company_id", "plots.owner_id",
         "tenancies.company_id", "activities.company_id")
def _register_parts(company):
    """The company's details, contacts, consents, plots and tenancies, and its timeline."""
    contacts = db.session.scalars(select(Contact).where(Contact.company_id == company.id)
                                  .order_by(Contact.id)).all()
    details = {**{key: getattr(company, key) for key in COMPANY_COLUMNS if key != "tags"},
               "tags": ", ".join(company.tag_names)}
    plots = [{"relation": "owner", **_row(plot, ("cadastral_number", "address", "area_m2")),
              "from_date": None, "to_date": None}
             for plot in db.session.scalars(select(Plot).where(Plot.owner_id == company.id).order_by(Plot.id))]
    plots += [{"relation": "tenant", **_row(tenancy.plot, ("cadastral_number", "address", "area_m2")),
               "from_date": tenancy.from_date, "to_date": tenancy.to_date}
              for tenancy in db.session.scalars(select(Tenancy).where(Tenancy.company_id == company.id)
                                                .order_by(Tenancy.id))]
    timeline = [_row(activity, TIMELINE_COLUMNS) for activity in db.session.scalars(
        select(Activity).where(Activity.company_id == company.id).order_by(Activity.occurred_at, Activity.id))]
    return [
        ExportPart("company", COMPANY_COLUMNS, [details], order=10,
                   values={"role": ROLE_LABELS, "status": STATUS_LABELS}),
        ExportPart("contacts", CONTACT_COLUMNS, [_row(contact, CONTACT_COLUMNS) for contact in contacts], order=11,
                   values={"lawful_basis": BASIS_LABELS}),
        ExportPart("consents", CONSENT_COLUMNS, [_row(contact, CONSENT_COLUMNS) for contact in contacts], order=12),
        ExportPart("plots", PLOT_COLUMNS, plots, order=13, values={"relation": RELATION_LABELS}),
        ExportPart("timeline", TIMELINE_COLUMNS, timeline, order=14, values={"kind": ACTIVITY_LABELS}),
    ]
