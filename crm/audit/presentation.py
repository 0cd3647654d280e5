"""The audit log as staff read it: Danish names of the actions and fields, values written as the rest of the app
writes them (kroner, days, names instead of ids, Ja/Nej), never raw JSON."""

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from crm.extensions import db
from crm.i18n import day, kroner, localtime, number

ACTION_LABELS = {
    "access.denied": _l("Adgang nægtet"),
    "attendance.correct": _l("Fremmøde rettet"),
    "auth.invitation_withdrawn": _l("Portalinvitation trukket tilbage"),
    "auth.links_spent": _l("Login-links brugt op"),
    "auth.login": _l("Logget ind"),
    "auth.login_closed": _l("Portaladgang lukket"),
    "auth.login_failed": _l("Mislykket login"),
    "auth.login_throttled": _l("Login bremset efter for mange forsøg"),
    "auth.logout": _l("Logget ud"),
    "auth.password_changed": _l("Adgangskode skiftet"),
    "auth.password_reset": _l("Adgangskode nulstillet"),
    "auth.password_reset_requested": _l("Nulstilling af adgangskode bestilt"),
    "auth.password_reset_throttled": _l("Nulstilling af adgangskode bremset"),
    "auth.password_reset_unknown": _l("Nulstilling bestilt for ukendt e-mail"),
    "calendar.feed_created": _l("Kalenderabonnement oprettet"),
    "calendar.feed_revoked": _l("Kalenderabonnement lukket"),
    "case.create": _l("Rådgivningsforløb oprettet"),
    "case.update": _l("Rådgivningsforløb ændret"),
    "case_partner.create": _l("Partner i rådgivningsforløb tilføjet"),
    "case_partner.update": _l("Partner i rådgivningsforløb ændret"),
    "company.create": _l("Virksomhed oprettet"),
    "company.import": _l("Virksomheder importeret"),
    "company.merge": _l("Virksomheder lagt sammen"),
    "company.update": _l("Virksomhed ændret"),
    "contact.anonymised": _l("Kontaktperson anonymiseret"),
    "contact.create": _l("Kontaktperson oprettet"),
    "contact.delete": _l("Kontaktperson slettet"),
    "contact.erasure_requested": _l("Sletning af kontaktperson ønsket"),
    "contact.unsubscribe": _l("Afmeldt nyhedsbrev"),
    "contact.update": _l("Kontaktperson ændret"),
    "contributions.adjustment_removed": _l("Tilpasning af bidrag fjernet"),
    "contributions.adjustment_set": _l("Bidrag tilpasset"),
    "contributions.billed": _l("Bidrag faktureret"),
    "contributions.credited": _l("Faktura krediteret"),
    "contributions.invoice_sent": _l("Faktura sendt"),
    "contributions.payment": _l("Betaling registreret"),
    "contributions.reminded": _l("Rykker sendt"),
    "contributions.reminders_held": _l("Rykkere sat i bero"),
    "contributions.reminders_released": _l("Rykkere genoptaget"),
    "contributions.scheme_adopted": _l("Bidragsmodel vedtaget"),
    "contributions.scheme_copied": _l("Bidragsmodel kopieret"),
    "contributions.scheme_saved": _l("Bidragsmodel gemt"),
    "contributions.waived": _l("Bidrag eftergivet"),
    "group.create": _l("Arbejdsgruppe oprettet"),
    "group.document": _l("Dokument lagt i arbejdsgruppe"),
    "group.initiative": _l("Initiativ gemt"),
    "group.mail": _l("Mail til arbejdsgruppe"),
    "group.member_removed": _l("Medlem fjernet fra arbejdsgruppe"),
    "group.members_added": _l("Medlemmer tilføjet arbejdsgruppe"),
    "group.membership_request_decided": _l("Anmodning om medlemskab besvaret"),
    "group.membership_requested": _l("Medlemskab af arbejdsgruppe ønsket"),
    "group.role": _l("Rolle i arbejdsgruppe ændret"),
    "group.update": _l("Arbejdsgruppe ændret"),
    "mail.cancel": _l("Mail annulleret"),
    "mail.retry": _l("Mail sendt igen"),
    "meeting.action_item": _l("Opgave tilføjet"),
    "meeting.action_item_status": _l("Opgave løst eller genåbnet"),
    "meeting.attachment": _l("Bilag vedhæftet"),
    "meeting.cancel": _l("Møde aflyst"),
    "meeting.create": _l("Møde oprettet"),
    "meeting.invitations_sent": _l("Invitationer sendt"),
    "meeting.invite": _l("Virksomheder inviteret"),
    "meeting.minutes": _l("Referat gemt"),
    "meeting.minutes_published": _l("Referat offentliggjort"),
    "meeting.minutes_writer": _l("Referent ændret"),
    "meeting.reminded": _l("Påmindelse sendt"),
    "meeting.rsvp": _l("Svar på invitation"),
    "meeting.update": _l("Møde ændret"),
    "newsletter.send": _l("Nyhedsbrev sendt"),
    "plot.create": _l("Grund oprettet"),
    "portal.data_export": _l("Data hentet fra portalen"),
    "portal.invitation_accepted": _l("Portalinvitation taget i brug"),
    "portal.invite": _l("Inviteret til portalen"),
    "portal.login_disabled": _l("Portallogin spærret"),
    "portal.refused": _l("Portal: adgang nægtet"),
    "tenancy.create": _l("Lejemål oprettet"),
    "user.create": _l("Bruger oprettet"),
}

OBJECT_LABELS = {
    "companies": _l("Virksomhed"), "contacts": _l("Kontaktperson"), "meetings": _l("Møde"),
    "invitations": _l("Invitation"), "attendances": _l("Fremmøde"), "action_items": _l("Opgave"),
    "working_groups": _l("Arbejdsgruppe"), "users": _l("Bruger"), "contributions": _l("Bidrag"),
    "contribution_schemes": _l("Bidragsmodel"), "newsletters": _l("Nyhedsbrev"), "plots": _l("Grund"),
    "outbound_emails": _l("Mail"), "green_cases": _l("Rådgivningsforløb"), "case_partners": _l("Partner"),
}

FIELD_LABELS = {
    "name": _l("Navn"), "email": _l("E-mail"), "phone": _l("Telefon"), "title": _l("Titel"), "role": _l("Rolle"),
    "status": _l("Status"), "state": _l("Tilstand"), "cvr": _l("CVR-nummer"), "street": _l("Adresse"),
    "postal_code": _l("Postnummer"), "city": _l("By"), "employees": _l("Ansatte"), "area_m2": _l("Areal (m²)"),
    "industry": _l("Branche"), "website": _l("Hjemmeside"), "description": _l("Beskrivelse"),
    "joined_on": _l("Medlem siden"), "left_on": _l("Fraflyttet"), "starts_at": _l("Starter"),
    "ends_at": _l("Slutter"), "place": _l("Sted"), "online_url": _l("Onlinemøde"), "series": _l("Mødeserie"),
    "kind": _l("Type"), "amount_ore": _l("Beløb"), "paid_on": _l("Betalt den"), "reference": _l("Reference"),
    "reason": _l("Begrundelse"), "mails": _l("Mails"), "refused": _l("Ikke sendt"), "recipients": _l("Modtagere"),
    "sequence": _l("Udgave"), "companies": _l("Virksomheder"), "company": _l("Virksomhed"),
    "company_id": _l("Virksomhed"), "contact_id": _l("Kontaktperson"), "audience": _l("Modtagere"),
    "agenda_items": _l("Dagsordenspunkter"), "file": _l("Fil"), "bytes": _l("Størrelse (byte)"),
    "year": _l("År"), "invoices": _l("Fakturaer"), "rsvp": _l("Svar"), "newsletter_consent": _l("Nyhedsbrev"),
    "subject": _l("Emne"), "path": _l("Adresse i systemet"), "method": _l("Metode"),
    "credit_number": _l("Kreditnota"), "minutes_writer": _l("Referent"), "owner": _l("Ejer"),
    "plot": _l("Grund"), "tenant": _l("Lejer"), "group_id": _l("Arbejdsgruppe"), "active": _l("Aktiv"),
    "purpose": _l("Formål"), "slug": _l("Kort navn"), "base_ore": _l("Grundbeløb"), "net_ore": _l("Beløb"),
    "skipped": _l("Sprunget over"), "from": _l("Fra"), "request_id": _l("Anmodning"), "is_primary": _l("Primær"),
    "consent": _l("Samtykke"), "directory_listed": _l("Vist i medlemsoversigten"), "job_title": _l("Stilling"),
    "created": _l("Oprettet"), "tiers": _l("Trin"), "retention": _l("Opbevaringsregel"),
    "partner_id": _l("Partner"), "started_on": _l("Startet"),
    "ended_on": _l("Afsluttet"), "outcome": _l("Udfald"), "note": _l("Note"),
}
#: Whole numbers that are names, not amounts: written without a thousands separator.
PLAIN_NUMBERS = {"year", "sequence", "cvr", "credit_number", "invoice_number"}

VALUE_LABELS = {
    "member": _l("Medlem"), "chair": _l("Formand"), "invited": _l("Inviteret"), "left": _l("Fraflyttet"),
    "owner": _l("Ejer"), "tenant": _l("Lejer"), "both": _l("Ejer og lejer"), "yes": _l("Ja"), "no": _l("Nej"),
    "maybe": _l("Måske"), "present": _l("Til stede"), "excused": _l("Afbud"), "no_show": _l("Udeblevet"),
    "open": _l("Åben"), "done": _l("Løst"), "planned": _l("Planlagt"), "held": _l("Afholdt"),
    "cancelled": _l("Aflyst"), "staff": _l("Medarbejder"), "admin": _l("Administrator"),
    "company": _l("Virksomhed"), "draft": _l("Kladde"), "sent": _l("Sendt"), "paid": _l("Betalt"),
    "credited": _l("Krediteret"), "waived": _l("Eftergivet"),
    "left_company": _l("virksomheden meldt ud for flere år siden"), "inactive": _l("ingen aktivitet i flere år"),
    "went_on": _l("Gik videre med en ny løsning"),
    "not_on": _l("Gik ikke videre"),
}

#: Fields that hold the id of a row of this table: shown by the row's name.
ID_TABLES = {"company_id": "companies", "contact_id": "contacts", "group_id": "working_groups",
             "agenda_items": "agenda_items", "partner_id": "case_partners"}
#: The column that names a row of a table, by preference.
NAME_COLUMNS = ("name", "title", "email", "subject", "filename")
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_ISO_MOMENT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}")


@dataclass
class ReadableEntry:
    """One audit entry as the log page shows it."""

    entry: object
    action: str
    subject: str
    details: list = field(default_factory=list)


def action_label(action):
    return str(ACTION_LABELS.get(action, action))


def readable(entries):
    """The entries with Danish labels, formatted values and the names of the rows they refer to."""
    names = _names_of(entries)
    result = []
    for entry in entries:
        subject = ""
        if entry.object_type:
            kind = str(OBJECT_LABELS.get(entry.object_type, entry.object_type))
            subject = f"{kind}: {names.get((entry.object_type, entry.object_id)) or f'#{entry.object_id}'}"
        details = entry.changes.items() if isinstance(entry.changes, dict) else [("", entry.changes)]
        result.append(ReadableEntry(entry, action_label(entry.action), subject, [
            (str(FIELD_LABELS.get(key, key.replace("_", " "))), _change_text(key, value, names))
            for key, value in details if value not in (None, "", [], {})]))
    return result


def _change_text(key, value, names):
    if isinstance(value, list) and len(value) == 2 and key not in ("companies", "agenda_items", "skipped"):
        return f"{_value_text(key, value[0], names)} → {_value_text(key, value[1], names)}"
    return _value_text(key, value, names)


def _value_text(key, value, names):
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_l("Ja") if value else _l("Nej"))
    if isinstance(value, list):
        return ", ".join(f"({_value_text(key, item, names)})" if isinstance(item, list) else
                         _value_text(key, item, names) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{FIELD_LABELS.get(k, k)}: {_value_text(k, v, names)}" for k, v in value.items())
    if key in ID_TABLES and isinstance(value, int) and not isinstance(value, bool):
        return names.get((ID_TABLES[key], value)) or f"#{value}"
    if key.endswith("_ore") and isinstance(value, int):
        return kroner(value)
    if key in PLAIN_NUMBERS or key.endswith("_id"):
        return str(value)
    if isinstance(value, int | float):
        return number(value)
    text = str(value)
    if _ISO_DAY.match(text):
        return day(date.fromisoformat(text))
    if _ISO_MOMENT.match(text):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return text
        return localtime(moment if moment.tzinfo else moment.replace(tzinfo=UTC))
    return str(VALUE_LABELS.get(text, text))


def _names_of(entries):
    """{(table, id): name} of the rows the entries name, read from each table's naming column (several
    queries, one per table, whatever the number of entries)."""
    wanted = {}
    for entry in entries:
        if entry.object_type and entry.object_id is not None:
            wanted.setdefault(entry.object_type, set()).add(entry.object_id)
        for key, table in ID_TABLES.items():
            value = entry.changes.get(key) if isinstance(entry.changes, dict) else None
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, int):
                    wanted.setdefault(table, set()).add(item)
    names = {}
    for table_name, ids in wanted.items():
        table = db.metadata.tables.get(table_name)
        column = next((table.c[name] for name in NAME_COLUMNS if table is not None and name in table.c), None)
        if column is None:
            continue
        for row_id, name in db.session.execute(select(table.c.id, column).where(table.c.id.in_(ids))):
            names[(table_name, row_id)] = name
    return names
