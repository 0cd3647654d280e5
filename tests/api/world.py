"""A small network for the API tests: two companies, each with a contact, a plot, an invitation and attendance at
one meeting, a group membership and an invoice with a payment; company A rents a plot company B owns."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from crm.companies.models import Contact, Plot, Tenancy
from crm.contributions.models import Contribution, ContributionScheme, Payment
from crm.groups.models import GroupMembership, WorkingGroup
from crm.meetings.models import Attendance, Invitation, Meeting, Rsvp


def build_network(db, make_company):
    a = make_company(name="Alfa Holme A/S", status="member")
    b = make_company(name="Beta Holme ApS", status="member")
    starts = datetime(2031, 3, 4, 15, tzinfo=UTC)
    meeting = Meeting(title="Netværksmøde marts", starts_at=starts, ends_at=starts + timedelta(hours=2))
    scheme = ContributionScheme(year=2031, name="API-prøvemodel", base_ore=100_000)
    water = db.session.scalars(select(WorkingGroup).where(WorkingGroup.slug == "vand")).one()
    db.session.add_all([meeting, scheme])
    db.session.flush()
    rows = {"a": a, "b": b, "meeting": meeting, "group": water}
    for key, company, number in (("a", a, 9_100_001), ("b", b, 9_100_002)):
        contact = Contact(company_id=company.id, name=f"Kontakt {key.upper()}", email=f"{key}@firma.example",
                          is_primary=True)
        db.session.add(contact)
        db.session.flush()
        invoice = Contribution(company_id=company.id, year=2031, scheme_id=scheme.id, invoice_number=number,
                               invoice_date=date(2031, 2, 1), due_date=date(2031, 3, 1), net_ore=100_000,
                               vat_ore=25_000, paid_ore=50_000)
        db.session.add_all([
            Invitation(meeting_id=meeting.id, company_id=company.id, sent_sequence=0, rsvp=Rsvp.YES),
            Attendance(meeting_id=meeting.id, company_id=company.id, contact_id=contact.id),
            GroupMembership(group_id=water.id, company_id=company.id, contact_id=contact.id),
            invoice,
        ])
        db.session.flush()
        db.session.add(Payment(contribution_id=invoice.id, paid_on=date(2031, 2, 10), amount_ore=50_000))
        rows[f"contact_{key}"], rows[f"invoice_{key}"] = contact, invoice
    owned_by_b = Plot(cadastral_number="7b Avedøre By, Avedøre", address="Stamholmen 1", owner_id=b.id)
    owned_by_a = Plot(cadastral_number="8c Avedøre By, Avedøre", address="Stamholmen 3", owner_id=a.id)
    db.session.add_all([owned_by_a, owned_by_b])
    db.session.flush()
    db.session.add_all([Tenancy(plot_id=owned_by_b.id, company_id=a.id, from_date=date(2020, 1, 1)),
                        Tenancy(plot_id=owned_by_a.id, company_id=b.id)])
    db.session.commit()
    rows.update(plot_of_a=owned_by_a, plot_of_b=owned_by_b)
    return rows


def company_ids_in(path, body):
    """Every company id an answer names: company_id and owner_id anywhere, and id in the companies' own answers."""
    found = set()

    def walk(value, is_company):
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in ("company_id", "owner_id") and isinstance(inner, int):
                    found.add(inner)
                elif key == "id" and is_company and isinstance(inner, int):
                    found.add(inner)
                else:
                    walk(inner, is_company and key == "items")
        elif isinstance(value, list):
            for inner in value:
                walk(inner, is_company)

    walk(body, path.rstrip("/").split("?")[0].split("/")[3:4] == ["companies"]
         and path.split("?")[0].count("/") <= 4)
    return found
