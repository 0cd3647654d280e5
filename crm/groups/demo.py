"""Plausible demo groups: members drawn from the demo companies' tags, a chair each, initiatives with figures."""

from datetime import date, timedelta
from decimal import Decimal
from random import Random

from sqlalchemy import func, select

from crm.companies.models import Company, CompanyStatus, CompanyTag
from crm.extensions import db
from crm.groups.models import GroupMembership, Initiative, InitiativeFigure, InitiativeStatus, MemberRole, WorkingGroup

#: slug -> members wanted; the nature group has the 19 companies of the municipality's report.
SIZES = {"affald": 34, "energi": 26, "vand": 14, "kommunikation": 9, "natur": 19}
INITIATIVES = {
    "affald": [
        ("Fælles affaldsordning", InitiativeStatus.RUNNING,
         "Én vognmand henter affald hos de deltagende virksomheder; sortering i ti fraktioner.",
         [("Virksomheder med", "31", ""), ("Affald håndteret i 2025", "1240", "t")]),
        ("Byttecentral", InitiativeStatus.RUNNING, "Overskudsmaterialer byttes mellem virksomhederne.",
         [("Materialer byttet", "86", "t"), ("CO₂ sparet", "112", "t")]),
    ],
    "energi": [("Fælles solceller på tagene", InitiativeStatus.PLANNED,
                "Indkøb og drift af solceller på lagerhallernes tage.", [("Planlagt effekt", "2400", "kWp")])],
    "vand": [("Regnvand til vask af lastbiler", InitiativeStatus.RUNNING, "",
              [("Regnvand brugt", "3100", "m³")])],
    "kommunikation": [("Netværkets nyhedsbrev", InitiativeStatus.RUNNING, "", [("Udgaver i 2025", "10", "")])],
    "natur": [("Vild natur på Holmen", InitiativeStatus.RUNNING,
               "19 virksomheder og kommunen har lagt 15 ha (5 % af området) ud til vild natur.",
               [("Vild natur", "15", "ha"), ("Virksomheder med", "19", ""), ("Arter talt på 100 m²", "105", "arter"),
                ("Arter på græsplænen ved siden af", "2", "arter")])],
}


def load_demo_groups(seed=2024):
    """Fill the five groups with members, chairs and initiatives, unless they have members; the count added."""
    if db.session.scalar(select(func.count()).select_from(GroupMembership)):
        return 0
    rng = Random(seed)
    groups = {group.slug: group for group in db.session.scalars(select(WorkingGroup))}
    members = db.session.scalars(
        select(Company).where(Company.status == CompanyStatus.MEMBER).order_by(Company.id)
    ).all()
    tagged = {}
    for company_id, tag in db.session.execute(select(CompanyTag.company_id, CompanyTag.tag)):
        tagged.setdefault(tag, []).append(company_id)
    by_id = {company.id: company for company in members}
    added = 0
    for slug, size in SIZES.items():
        group = groups.get(slug)
        if group is None:
            continue
        wanted = [by_id[i] for i in tagged.get(slug, []) if i in by_id][:size]
        others = [company for company in members if company not in wanted]
        wanted += rng.sample(others, max(0, min(size - len(wanted), len(others))))
        for position, company in enumerate(wanted):
            contact = company.primary_contact
            db.session.add(GroupMembership(
                group_id=group.id, company_id=company.id, contact_id=contact.id if contact else None,
                role=MemberRole.CHAIR if position == 0 else MemberRole.MEMBER,
                joined_on=date(rng.choice([2021, 2022, 2023, 2024, 2025]), rng.randint(1, 12), 1),
            ))
            added += 1
        added += _former_members(rng, group, [company for company in others if company not in wanted])
        for title, status, description, figures in INITIATIVES.get(slug, []):
            initiative = Initiative(group_id=group.id, title=title, status=status, description=description)
            initiative.figures = [InitiativeFigure(label=label, value=Decimal(value), unit=unit)
                                  for label, value, unit in figures]
            db.session.add(initiative)
    db.session.flush()
    return added


def _former_members(rng, group, candidates):
    """One to three companies that were in the group for a while and left it: the group's history over the years.
    The number added."""
    former = rng.sample(candidates, min(len(candidates), rng.randint(1, 3)))
    for company in former:
        joined_on = date(rng.choice([2021, 2022, 2023]), rng.randint(1, 12), 1)
        contact = company.primary_contact
        db.session.add(GroupMembership(group_id=group.id, company_id=company.id,
                                       contact_id=contact.id if contact else None, role=MemberRole.MEMBER,
                                       joined_on=joined_on,
                                       left_on=min(joined_on + timedelta(days=rng.randint(200, 900)),
                                                   date.today() - timedelta(days=1))))
    return len(former)
