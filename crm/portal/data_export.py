"""'Download our data': a ZIP with JSON and CSV of everything the CRM holds about a company and its contacts.

Each part is a (name, function) in EXPORTERS; a function takes the company and gives a list of flat dicts.
Invoices and payments come from the contributions area; register_exporter() adds a further part.
"""

import csv
import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select

from crm.auth.models import User
from crm.companies.models import Contact
from crm.contributions.models import Contribution, Payment
from crm.extensions import db
from crm.groups.models import GroupMembership, WorkingGroup
from crm.mail.models import OutboundEmail
from crm.meetings.models import Attendance, Invitation, Meeting

EXPORTERS = []


def register_exporter(name, function):
    """Add a part to the archive: NAME.json and NAME.csv made from function(company)."""
    if any(existing == name for existing, _function in EXPORTERS):
        raise ValueError(f"the archive already has a part called {name}")
    EXPORTERS.append((name, function))


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _columns(obj, names):
    return {name: _plain(getattr(obj, name)) for name in names}


def company_details(company):
    return [_columns(company, (
        "cvr", "p_number", "ean", "name", "street", "postal_code", "city", "role", "employees", "area_m2",
        "industry", "status", "joined_on", "left_on", "website", "description", "directory_listed",
        "created_at"))]


def _contacts(company):
    return db.session.scalars(select(Contact).where(Contact.company_id == company.id).order_by(Contact.id)).all()


def contacts(company):
    return [_columns(contact, ("id", "name", "title", "email", "phone", "is_primary", "receives_meeting_mail",
                               "lawful_basis", "source", "created_at")) for contact in _contacts(company)]


def consents(company):
    return [_columns(contact, ("id", "name", "newsletter_consent", "consent_at", "consent_text_version",
                               "consent_channel")) for contact in _contacts(company)]


def invitations(company):
    rows = db.session.execute(
        select(Meeting.title, Meeting.starts_at, Invitation.invited_at, Invitation.rsvp, Invitation.rsvp_at,
               Invitation.rsvp_by).join(Meeting).where(Invitation.company_id == company.id)
        .order_by(Meeting.starts_at)).all()
    keys = ("meeting", "meeting_starts_at", "invited_at", "rsvp", "rsvp_at", "rsvp_by")
    return [dict(zip(keys, map(_plain, row), strict=True)) for row in rows]


def attendance(company):
    rows = db.session.execute(
        select(Meeting.title, Meeting.starts_at, Contact.name, Attendance.status, Attendance.walk_in,
               Attendance.checked_in_at).join(Meeting, Meeting.id == Attendance.meeting_id)
        .outerjoin(Contact, Contact.id == Attendance.contact_id).where(Attendance.company_id == company.id)
        .order_by(Meeting.starts_at)).all()
    keys = ("meeting", "meeting_starts_at", "person", "status", "walk_in", "checked_in_at")
    return [dict(zip(keys, map(_plain, row), strict=True)) for row in rows]


def mails(company):
    rows = db.session.execute(
        select(OutboundEmail.created_at, OutboundEmail.to_name, OutboundEmail.to_address, OutboundEmail.subject,
               OutboundEmail.kind, OutboundEmail.status, OutboundEmail.sent_at)
        .where(OutboundEmail.company_id == company.id).order_by(OutboundEmail.created_at)).all()
    keys = ("created_at", "to_name", "to_address", "subject", "kind", "status", "sent_at")
    return [dict(zip(keys, map(_plain, row), strict=True)) for row in rows]


def groups(company):
    rows = db.session.execute(
        select(WorkingGroup.name, GroupMembership.role, GroupMembership.joined_on, GroupMembership.left_on)
        .join(WorkingGroup).where(GroupMembership.company_id == company.id).order_by(GroupMembership.joined_on)).all()
    keys = ("group", "role", "joined_on", "left_on")
    return [dict(zip(keys, map(_plain, row), strict=True)) for row in rows]


def logins(company):
    users = db.session.scalars(select(User).where(User.company_id == company.id).order_by(User.id)).all()
    return [_columns(user, ("email", "name", "active", "last_login_at", "created_at")) for user in users]


def invoices(company):
    """The company's contributions: each invoice with its amounts in øre, state and credit note."""
    rows = db.session.scalars(select(Contribution).where(Contribution.company_id == company.id)
                              .order_by(Contribution.year, Contribution.invoice_number)).all()
    return [_columns(row, ("year", "invoice_number", "invoice_date", "due_date", "net_ore", "vat_ore", "paid_ore",
                           "months", "tier", "state", "sent_at", "reminder_1_at", "reminder_2_at", "credit_number",
                           "credited_on")) for row in rows]


def payments(company):
    rows = db.session.scalars(select(Payment).join(Contribution).where(Contribution.company_id == company.id)
                              .order_by(Payment.paid_on, Payment.id)).all()
    return [{"invoice": f"{row.contribution.year}-{row.contribution.invoice_number}",
             **_columns(row, ("paid_on", "amount_ore", "reference", "created_at"))} for row in rows]


for _name, _function in (("company", company_details), ("contacts", contacts), ("consents", consents),
                         ("invitations", invitations), ("attendance", attendance), ("mails", mails),
                         ("groups", groups), ("logins", logins), ("invoices", invoices), ("payments", payments)):
    register_exporter(_name, _function)


def _csv(rows):
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return "\ufeff" + out.getvalue()  # the BOM lets Excel read æ, ø and å


def company_archive(company):
    """The ZIP of every registered part, as NAME.json and NAME.csv."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, function in EXPORTERS:
            rows = function(company)
            archive.writestr(f"{name}.json", json.dumps(rows, ensure_ascii=False, indent=2))
            archive.writestr(f"{name}.csv", _csv(rows))
    return buffer.getvalue()
